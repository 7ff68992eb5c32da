import AssureCore
import XCTest
@testable import AssureApp

/// The shipped catalogues load and match their sources; bad catalogue files are refused with the
/// file, line and field named.
final class CatalogueTests: XCTestCase {
    func testTheShippedCAFVersionsLoadWithTheirOutcomeCounts() throws {
        XCTAssertEqual(ShippedCatalogues.files.count, ShippedCatalogues.all.count, "every shipped file loads")
        let v32 = try XCTUnwrap(ShippedCatalogues.find("ncsc-caf@3.2"))
        let v40 = try XCTUnwrap(ShippedCatalogues.find("ncsc-caf"))
        XCTAssertEqual(v32.items.count, 39)
        XCTAssertEqual(v40.version, "4.0", "the newest version by default")
        XCTAssertEqual(v40.items.count, 41)
        XCTAssertNil(ShippedCatalogues.find(""))
        XCTAssertNil(ShippedCatalogues.find("@"))
        XCTAssertNil(ShippedCatalogues.find("ncsc-caf@9.9"))
        XCTAssertEqual(v32.items.first { $0.id == "A2.a" }?.levels, ["not-achieved", "partially-achieved", "achieved"])
        XCTAssertEqual(v32.items.first { $0.id == "A1.a" }?.levels, ["not-achieved", "achieved"], "no partially achieved where the CAF has none")
        XCTAssertTrue(v32.unverified, "the 3.2 publication date was not confirmed")
        XCTAssertTrue(v40.items.contains { $0.id == "A2.b" && $0.title == "Understanding Threat" })
        XCTAssertEqual(v32.profiles.first?.targets.count, 39)
        XCTAssertEqual(ShippedCatalogues.find("nhs-service-standard")?.items.count, 17)
        XCTAssertEqual(ShippedCatalogues.find("nhs-service-standard")?.items.filter(\.mandatory).count, 14, "GDS-assessed services must meet 1-14")
        XCTAssertEqual(ShippedCatalogues.find("dtac")?.items.map(\.id), ["C1", "C2", "C3", "C4", "D1"])
        XCTAssertEqual(ShippedCatalogues.find("cyber-essentials")?.items.count, 6, "five themes and the 14-day patching rule")
        let caf = try XCTUnwrap(ShippedCatalogues.find("dspt-caf"))
        XCTAssertEqual(caf.items.filter(\.mandatory).map(\.id).sorted(), ["A2.a", "A4.a", "B2.a", "B4.d", "C1.a", "D1.a", "E2.b", "E3.a"],
                       "the 2024-25 mandatory independent-audit outcomes")
        XCTAssertTrue(caf.items.first { $0.id == "E2.a" }?.unverified ?? false)
        let ndg = try XCTUnwrap(ShippedCatalogues.find("dspt-ndg"))
        XCTAssertEqual(ndg.groups.flatMap(\.groups).count, 10, "ten National Data Guardian standards")
    }

    func testBadCataloguesNameTheFileLineAndField() {
        let bad = """
            id: trust-checklist
            version: "1"
            title: Trust checklist
            publisher: Kingsmere
            levels:
              - {id: met, label: Met}
            groups:
              - id: G1
                title: Group one
                items:
                  - {id: I1, title: First, levels: [met, sort-of]}
                  - {id: I1, title: Again, levels: [met]}
            profiles:
              - id: p
                title: Target
                targets: {I9: met}
            """
        XCTAssertThrowsError(try CatalogueLoader.load(bad, file: "trust.yaml")) { error in
            let problems = (error as? RuleViolations<CatalogueError>)?.problems ?? []
            XCTAssertTrue(problems.contains(CatalogueError(file: "trust.yaml", line: 1, field: "licence", message: "is missing")), "\(problems)")
        }
        let fixed = bad.replacingOccurrences(of: "publisher: Kingsmere", with: "publisher: Kingsmere\nlicence: Internal")
        XCTAssertThrowsError(try CatalogueLoader.load(fixed, file: "trust.yaml")) { error in
            let problems = (error as? RuleViolations<CatalogueError>)?.problems.map(\.description) ?? []
            XCTAssertTrue(problems.contains("trust.yaml:12: levels: I1: 'sort-of' is not a level the catalogue defines (met)"), "\(problems)")
            XCTAssertTrue(problems.contains { $0.contains("'I1' is used more than once") })
            XCTAssertTrue(problems.contains("trust.yaml:15: targets: p: 'I9' is not an item of this catalogue"), "\(problems)")
        }
        XCTAssertThrowsError(try CatalogueLoader.load("id: [unclosed", file: "broken.yaml")) { error in
            let problem = (error as? RuleViolations<CatalogueError>)?.problems.first
            XCTAssertEqual(problem?.file, "broken.yaml")
            XCTAssertTrue(problem?.message.hasPrefix("not valid YAML") ?? false)
        }
    }
}
