import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

final class UserAccountsTests: XCTestCase {
    private func accounts(_ app: Application) -> UserAccounts {
        UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
    }

    func testCreateGrantRevokeDisableAndResetAreAuditedWithoutSecrets() async throws {
        try await withAssure(demo: true) { app in
            let password = "kettle marmalade oak"
            let user = try await accounts(app).create(email: " Jane.Smith@NHS.net ", displayName: "Jane Smith", password: password)
            XCTAssertEqual(user.email, "jane.smith@nhs.net", "stored lower-case")
            let hash = try XCTUnwrap(user.passwordHash)
            XCTAssertTrue(hash.hasPrefix("$2b$12$"), "bcrypt with cost 12")
            let verified = try await UserAccounts.verify(password, against: hash, on: app.threadPool)
            XCTAssertTrue(verified)
            let wrong = try await UserAccounts.verify("kettle marmalade elm", against: hash, on: app.threadPool)
            XCTAssertFalse(wrong)

            try await accounts(app).grant(email: "JANE.SMITH@nhs.net", role: "manager", organisation: "t91")
            try await accounts(app).grant(email: "jane.smith@nhs.net", role: "manager", organisation: "T91")
            try await accounts(app).grant(email: "jane.smith@nhs.net", role: "oversight", organisation: "Q9A")
            try await accounts(app).revoke(email: "jane.smith@nhs.net", role: "oversight", organisation: "Q9A")
            try await accounts(app).setStatus(email: "jane.smith@nhs.net", .disabled)
            try await accounts(app).setPassword(email: "jane.smith@nhs.net", "a different long passphrase")

            let listed = try await accounts(app).list().filter { $0.email != "tester@assure.test" }
            XCTAssertEqual(listed.count, 1)
            XCTAssertEqual(listed[0].status, "disabled")
            XCTAssertEqual(listed[0].roles.map { "\($0.role.rawValue)@\($0.organisation)" }, ["manager@T91"], "granting twice keeps one role")

            let trail = try await AuditTrail.page(after: 29, limit: 100, on: app.db as! any SQLDatabase)
            XCTAssertEqual(trail.map(\.action), ["create", "grant-role", "grant-role", "revoke-role", "disable", "reset-password"])
            XCTAssertEqual(trail[1].organisationCode, "T91", "a permission change belongs to the organisation")
            for entry in trail {
                XCTAssertFalse(entry.changes.contains(password) || entry.changes.contains("$2b$"), "no password or hash in the trail")
            }
            let verifier = try await AuditTrail.verify(on: app.db)
            XCTAssertNil(verifier.firstBreak)
        }
    }

    func testBadInputIsRefusedNamingTheFieldAndWritesNothing() async throws {
        try await withAssure(demo: true) { app in
            _ = try await accounts(app).create(email: "sam@nhs.net", displayName: "Sam", password: nil)
            let cases: [(String, String, String?, String)] = [
                ("not-an-email", "Name", nil, "email"),
                ("a@b.nhs.net", " ", nil, "display_name"),
                ("a@b.nhs.net", "A B", "short", "password"),
                ("a@b.nhs.net", "A B", "password1234", "password"),
                ("SAM@nhs.net", "Sam Again", nil, "email"),
            ]
            for (email, name, password, field) in cases {
                do {
                    _ = try await accounts(app).create(email: email, displayName: name, password: password)
                    XCTFail("\(email) should be refused")
                } catch let error as AssureError {
                    XCTAssertEqual(error.problems.first?.field, field, "\(email) \(name)")
                }
            }
            for (role, org, mention) in [("emperor", "T91", "role"), ("viewer", "NOPE", "NOPE")] {
                do {
                    try await accounts(app).grant(email: "sam@nhs.net", role: role, organisation: org)
                    XCTFail(role)
                } catch let error as AssureError {
                    XCTAssertTrue("\(error.detail) \(error.problems)".contains(mention), "\(error)")
                }
            }
            let users = try await User.query(on: app.db).filter(\.$email != "tester@assure.test").count()
            let memberships = try await OrganisationMembership.query(on: app.db).filter(\.$organisation.$id != nil).count()
            XCTAssertEqual(users, 1)
            XCTAssertEqual(memberships, 0)
        }
    }
}
