import AssureCore
import XCTest

final class SameSitePathTests: XCTestCase {
    func testOnlyAPathTheBrowserKeepsOnThisSiteIsAccepted() {
        for good in ["/organisations", "/organisations/T91/risks?status=open&page=2", "/", "/organisations/T91#main"] {
            XCTAssertEqual(SameSitePath.validated(good), good, good)
        }
        // Browsers drop tabs and line breaks and read a backslash as a slash: each of these is another site.
        for bad in ["/\t/elsewhere.example", "/\n/elsewhere.example", "/\r/elsewhere.example", "/\\elsewhere.example", "\\/elsewhere.example",
                    "//elsewhere.example", "/%2f/elsewhere.example", "/%5Celsewhere.example", "https://elsewhere.example/", "javascript:alert(1)",
                    "organisations", "", "/ /elsewhere.example", "/\u{0}x", "/x\u{200B}", "/x\"><meta http-equiv=\"refresh\">"] {
            XCTAssertNil(SameSitePath.validated(bad), bad.debugDescription)
        }
        XCTAssertNil(SameSitePath.validated(nil))
        XCTAssertNil(SameSitePath.validated("/" + String(repeating: "a", count: 3000)), "absurdly long")
    }
}

final class ApprovalRuleTests: XCTestCase {
    func testFourEyes() {
        let refuse = { (parties: ApprovalRule.Parties, may: Bool) in ApprovalRule.refusal(parties, mayApprove: may, what: "a result", field: "status") }
        XCTAssertNil(refuse(.init(approver: "siro@t.example", storedOwner: "lead@t.example", submitter: "lead@t.example"), true))
        XCTAssertEqual(refuse(.init(approver: "siro@t.example", storedOwner: nil, submitter: nil), false)?.message, "Only a manager may approve a result")
        // The stored owner cannot approve by dropping or changing the owner in the same request.
        XCTAssertNotNil(refuse(.init(approver: "lead@t.example", storedOwner: "lead@t.example", requestedOwner: nil, submitter: "x@t.example"), true))
        XCTAssertNotNil(refuse(.init(approver: "lead@t.example", storedOwner: "LEAD@t.example ", requestedOwner: "other@t.example", submitter: nil), true))
        XCTAssertNotNil(refuse(.init(approver: "lead@t.example", storedOwner: nil, requestedOwner: "lead@t.example", submitter: nil), true))
        // Whoever submitted the change cannot approve it, owner or not.
        XCTAssertEqual(refuse(.init(approver: "siro@t.example", storedOwner: "lead@t.example", submitter: "siro@t.example"), true)?.field, "status")
    }
}

final class TokenRoleTests: XCTestCase {
    func testATokenActsWithTheLowerOfItsRoleAndItsOwnersRoleToday() {
        let manager = [Membership(organisation: "T91", role: .manager)]
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"], owner: manager), .manager)
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .viewer, organisation: "T91", ancestors: ["Q9A"], owner: manager), .viewer)
        // Demoted to contributor: a manager's token now acts as a contributor.
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"],
                                                       owner: [Membership(organisation: "T91", role: .contributor)]), .contributor)
        // Role removed there: the token acts as nobody.
        XCTAssertNil(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"], owner: [Membership(organisation: "T94", role: .manager)]))
        XCTAssertNil(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"], owner: []))
        // A role reaching down from the ICB still covers the trust; an auditor's token under a manager keeps only reading.
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .viewer, organisation: "T91", ancestors: ["Q9A"], owner: [Membership(organisation: "Q9A", role: .orgAdmin)]), .viewer)
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .auditor, organisation: "T91", ancestors: ["Q9A"], owner: manager), .viewer)
        // A system administrator's token needs its owner to be one still.
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .systemAdmin, organisation: nil, ancestors: [], owner: [Membership(organisation: "", role: .systemAdmin)]), .systemAdmin)
        XCTAssertNil(AccessPolicy.effectiveTokenRole(scope: .systemAdmin, organisation: nil, ancestors: [], owner: manager))
    }
}
