import XCTest
@testable import AssureCore

final class ODSCodeTests: XCTestCase {
    func testNormalisesAndChecksGeneralShape() throws {
        XCTAssertEqual(try ODSCode(" rj1 ").value, "RJ1")
        for bad in ["", "AB", "R J1", "RJ1!", "ABCDEFGHIJK", "é12"] {
            XCTAssertThrowsError(try ODSCode(bad), bad) { error in
                XCTAssertEqual((error as? RuleError)?.field, "ods_code")
            }
        }
    }

    func testShapeByType() throws {
        let good: [(String, OrganisationType)] = [
            ("Y56", .region), ("QHG", .icb), ("QE1", .icb), ("RJ1", .trust), ("TAD", .foundationTrust),
            ("A81001", .gpPractice), ("0DE", .commissioningSupportUnit), ("X26", .armsLengthBody), ("8J094", .itSupplier),
        ]
        for (code, type) in good { XCTAssertNoThrow(try ODSCode(code).check(isShapedFor: type), "\(code) \(type)") }
        let bad: [(String, OrganisationType)] = [
            ("Y5A", .region), ("QHGX", .icb), ("RHG", .icb), ("AJ1", .trust), ("A8100", .gpPractice), ("A8100A", .gpPractice), ("Q9A", .region),
        ]
        for (code, type) in bad {
            XCTAssertThrowsError(try ODSCode(code).check(isShapedFor: type), "\(code) \(type)") { error in
                XCTAssertTrue((error as? RuleError)?.message.contains("for example") ?? false)
            }
        }
    }

    func testTypeParsingAcceptsCommonSpellings() throws {
        XCTAssertEqual(try OrganisationType(parsing: "GP practice"), .gpPractice)
        XCTAssertEqual(try OrganisationType(parsing: "foundation_trust"), .foundationTrust)
        XCTAssertEqual(try OrganisationType(parsing: "Integrated Care Board"), .icb)
        XCTAssertThrowsError(try OrganisationType(parsing: "hospital"))
        XCTAssertEqual(OrganisationType.armsLengthBody.pluralName, "Arm's-length bodies")
        XCTAssertEqual(OrganisationType.trust.pluralName, "NHS trusts")
    }

    func testDSPTCategory() throws {
        XCTAssertNil(try DSPTCategory.parse(" "))
        XCTAssertEqual(try DSPTCategory.parse("4")?.value, 4)
        XCTAssertThrowsError(try DSPTCategory.parse("5"))
        XCTAssertThrowsError(try DSPTCategory.parse("one"))
    }
}
