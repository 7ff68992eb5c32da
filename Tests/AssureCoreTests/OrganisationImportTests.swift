import AssureDemo
import XCTest
@testable import AssureCore

final class OrganisationImportValidationTests: XCTestCase {
    private func rows(_ entries: [DemoOrganisations.Entry]) -> [OrganisationImport.Row] {
        entries.enumerated().map { OrganisationImport.Row(line: $0.offset + 2, fields: $0.element.fields) }
    }

    func testTheDemoDataIsValidAndOfTheAdvertisedSize() throws {
        let region = try OrganisationImport.validate(rows(DemoOrganisations.region), existing: .init()).get()
        XCTAssertEqual(region.filter { $0.type == .icb }.count, 2)
        XCTAssertEqual(region.filter { $0.type == .trust || $0.type == .foundationTrust }.count, 6)
        XCTAssertEqual(region.filter { $0.type == .gpPractice }.count, 20)
        let national = try OrganisationImport.validate(rows(DemoOrganisations.national()), existing: .init()).get()
        XCTAssertEqual(national.count, 6_569)
        XCTAssertEqual(DemoOrganisations.national(), DemoOrganisations.national(), "deterministic")
        XCTAssertTrue(Set(national.map(\.odsCode)).isDisjoint(with: region.map(\.odsCode)))
    }

    func testHeaderChecks() {
        XCTAssertEqual(OrganisationImport.checkHeader(OrganisationImport.columns), [])
        XCTAssertEqual(OrganisationImport.checkHeader(["ods_code", "name", "type", "parent_ods_code"]).map(\.field), ["dspt_category"])
        XCTAssertEqual(OrganisationImport.checkHeader(OrganisationImport.columns + ["extra"]).map(\.field), ["extra"])
    }

    func testProblemsAreSortedByLineAndNameTheField() {
        let bad = [
            OrganisationImport.Row(line: 3, fields: ["ods_code": "RJ1", "name": "T", "type": "trust", "parent_ods_code": "QHG", "dspt_category": ""]),
            OrganisationImport.Row(line: 2, fields: ["ods_code": "QHG", "name": "", "type": "icb", "parent_ods_code": "Y56", "dspt_category": ""]),
        ]
        guard case .failure(let violations) = OrganisationImport.validate(bad, existing: .init()) else { return XCTFail() }
        XCTAssertEqual(violations.problems.map(\.line), [2, 3])
        XCTAssertEqual(violations.problems.map(\.field), ["name", "parent_ods_code"])
    }
}
