import XCTest
@testable import AssureCore

final class OrganisationHierarchyTests: XCTestCase {
    private func code(_ raw: String) -> ODSCode { try! ODSCode(raw) }

    private var tree: OrganisationHierarchy {
        OrganisationHierarchy([
            .init(code: code("Y56"), type: .region, parentCode: nil),
            .init(code: code("QHG"), type: .icb, parentCode: code("Y56")),
            .init(code: code("RJ1"), type: .trust, parentCode: code("QHG")),
            .init(code: code("A81001"), type: .gpPractice, parentCode: code("QHG")),
        ])
    }

    private func draft(_ raw: String, _ type: OrganisationType, parent: String?) -> OrganisationDraft {
        OrganisationDraft(odsCode: code(raw), name: raw, type: type, parentCode: parent.map(code), dsptCategory: nil)
    }

    func testParentMustExistAndBeOfAnAllowedType() {
        XCTAssertNoThrow(try tree.check(draft("RJ2", .trust, parent: "QHG")))
        XCTAssertThrowsError(try tree.check(draft("RJ2", .trust, parent: "QQQ"))) { error in
            XCTAssertTrue("\(error)".contains("does not exist"))
        }
        XCTAssertThrowsError(try tree.check(draft("RJ2", .trust, parent: "Y56"))) { error in
            XCTAssertTrue("\(error)".contains("cannot sit under"))
        }
        XCTAssertThrowsError(try tree.check(draft("QHH", .icb, parent: nil))) { error in
            XCTAssertTrue("\(error)".contains("must have a parent"))
        }
        XCTAssertNoThrow(try tree.check(draft("0DE", .commissioningSupportUnit, parent: nil)))
    }

    func testCyclesAreRejected() {
        XCTAssertThrowsError(try tree.check(draft("QHG", .icb, parent: "RJ1"))) { error in
            XCTAssertTrue("\(error)".contains("cycle"))
        }
        XCTAssertThrowsError(try tree.check(draft("QHG", .icb, parent: "QHG"))) { error in
            XCTAssertTrue("\(error)".contains("cycle"))
        }
        var broken = tree
        broken.place(.init(code: code("Y56"), type: .region, parentCode: code("A81001")))
        XCTAssertTrue(broken.containsCycle)
        XCTAssertFalse(tree.containsCycle)
        XCTAssertEqual(broken.ancestry(from: code("RJ1")).count, 4, "ancestry stops when it meets a code twice")
    }

    func testChangingTypeMustKeepChildrenValid() {
        XCTAssertThrowsError(try tree.check(draft("QHG", .commissioningSupportUnit, parent: "Y56"))) { error in
            XCTAssertEqual((error as? RuleError)?.field, "type")
        }
    }

    func testDraftParsingReportsEveryField() {
        guard case .failure(let violations) = OrganisationDraft.parse(odsCode: "!", name: " ", type: "castle", parentCode: "x", dsptCategory: "9") else {
            return XCTFail("should fail")
        }
        XCTAssertEqual(Set(violations.problems.map(\.field)), ["ods_code", "name", "type", "parent_ods_code", "dspt_category"])
    }
}
