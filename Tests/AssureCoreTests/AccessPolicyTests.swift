import XCTest
@testable import AssureCore

final class AccessPolicyTests: XCTestCase {
    /// "All" is computed from the named actions: each is its own bit, none is named twice, and
    /// the bits run from the first without a gap (an action declared but not named leaves one).
    func testAllIsEveryNamedActionAndNothingElse() {
        let bits = Actions.named.map(\.action.rawValue)
        XCTAssertEqual(Set(bits).count, bits.count, "each action is named once")
        XCTAssertTrue(bits.allSatisfy { $0.nonzeroBitCount == 1 }, "each action is one bit")
        XCTAssertEqual(Actions.all.rawValue, (1 << UInt32(bits.count)) - 1, "no gap among the bits")
        XCTAssertEqual(Set(Actions.named.map(\.name)).count, bits.count, "each name is different")
    }

    // Region Y99 → ICB Q9A → trust T91; unrelated ICB Q9B.
    private let ancestry: [String: [String]] = ["Y99": [], "Q9A": ["Y99"], "T91": ["Q9A", "Y99"], "Q9B": ["Y99"]]

    private func allows(_ role: Role, at organisation: String, _ action: Actions, on target: String) -> Bool {
        AccessPolicy.allows([Membership(organisation: organisation, role: role)], action, on: target, ancestors: ancestry[target]!)
    }

    func testRolesHoldInTheirOwnOrganisation() {
        XCTAssertTrue(allows(.viewer, at: "T91", .read, on: "T91"))
        XCTAssertFalse(allows(.viewer, at: "T91", .createRecord, on: "T91"))
        XCTAssertTrue(allows(.contributor, at: "T91", .editOwnRecord, on: "T91"))
        XCTAssertFalse(allows(.contributor, at: "T91", .editAnyRecord, on: "T91"))
        XCTAssertTrue(allows(.manager, at: "T91", [.editAnyRecord, .approve], on: "T91"))
        XCTAssertFalse(allows(.manager, at: "T91", .signClinicalSafety, on: "T91"))
        XCTAssertTrue(allows(.clinicalSafetyOfficer, at: "T91", .signClinicalSafety, on: "T91"))
        XCTAssertTrue(allows(.auditor, at: "T91", .readAuditTrail, on: "T91"))
        XCTAssertFalse(allows(.auditor, at: "T91", .createRecord, on: "T91"))
    }

    func testOnlySomeRolesReachDown() {
        XCTAssertFalse(allows(.manager, at: "Q9A", .read, on: "T91"), "a manager's role stays in the ICB")
        XCTAssertTrue(allows(.oversight, at: "Q9A", .readRollUp, on: "T91"))
        XCTAssertTrue(allows(.oversight, at: "Y99", .read, on: "T91"))
        XCTAssertFalse(allows(.oversight, at: "Q9A", .editAnyRecord, on: "T91"), "oversight is read-only")
        XCTAssertTrue(allows(.orgAdmin, at: "Q9A", .manageMemberships, on: "T91"))
        XCTAssertFalse(allows(.orgAdmin, at: "T91", .manageMemberships, on: "Q9A"), "never upwards")
    }

    func testUnrelatedOrganisationsAreDenied() {
        for role in Role.allCases where role != .systemAdmin {
            XCTAssertFalse(allows(role, at: "Q9A", .read, on: "Q9B"), "\(role)")
        }
        XCTAssertTrue(allows(.systemAdmin, at: "Q9A", .all, on: "Q9B"))
    }

    func testAnActionNeedsOneMembershipPermittingAllOfIt() {
        let both = [Membership(organisation: "T91", role: .viewer), Membership(organisation: "T91", role: .auditor)]
        XCTAssertFalse(AccessPolicy.allows(both, [.read, .createRecord], on: "T91", ancestors: ancestry["T91"]!))
        XCTAssertTrue(AccessPolicy.allows(both, .readAuditTrail, on: "T91", ancestors: ancestry["T91"]!))
        XCTAssertFalse(AccessPolicy.allows([Membership<String>](), .read, on: "T91", ancestors: []), "no membership, no access")
    }

    func testSystemWideActionsNeedASystemAdministrator() {
        XCTAssertTrue(AccessPolicy.allowsSystemWide([Membership(organisation: "Y99", role: .systemAdmin)], .administerSystem))
        XCTAssertFalse(AccessPolicy.allowsSystemWide([Membership(organisation: "Y99", role: .orgAdmin)], .administerSystem))
    }

    func testTokenRolesNoHigherThanTheOwners() {
        XCTAssertTrue(Role.viewer.isNoHigher(than: .manager))
        XCTAssertTrue(Role.manager.isNoHigher(than: .clinicalSafetyOfficer))
        XCTAssertFalse(Role.clinicalSafetyOfficer.isNoHigher(than: .manager))
        XCTAssertFalse(Role.oversight.isNoHigher(than: .manager), "reaching down is more")
        XCTAssertFalse(Role.auditor.isNoHigher(than: .manager), "the audit trail is not a manager's")
        for role in Role.allCases { XCTAssertTrue(role.isNoHigher(than: .systemAdmin)) }
    }
}
