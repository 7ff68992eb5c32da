import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

final class APITokenTests: XCTestCase {
    private func withTokenOwner(_ test: (Application, TestClock, APITokens) async throws -> Void) async throws {
        try await withAssure(demo: true) { app in
            let clock = TestClock()
            app.clock = AssureClock(now: { clock.now })
            let accounts = UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
            _ = try await accounts.create(email: "jane.smith@nhs.net", displayName: "Jane Smith", password: nil)
            try await accounts.grant(email: "jane.smith@nhs.net", role: "manager", organisation: "T91")
            try await accounts.grant(email: "jane.smith@nhs.net", role: "oversight", organisation: "Q9A")
            try await accounts.grant(email: "jane.smith@nhs.net", role: "org-admin", organisation: "T91")
            try await test(app, clock, APITokens(database: app.db, audit: .command("test", clock: AssureClock(now: { clock.now })), clock: AssureClock(now: { clock.now })))
        }
    }

    private func rename(_ app: Application, token: String?, cookie: String? = nil) async throws -> (HTTPStatus, String) {
        var headers = jsonHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        if let cookie { headers.add(name: .cookie, value: "\(SessionCookie.name)=\(cookie)") }
        var result: (HTTPStatus, String) = (.ok, "")
        let body = #"{"name":"Kingsmere Hospitals NHS Foundation Trust","type":"foundation-trust","parent_ods_code":"Q9A","dspt_category":1}"#
        try await app.test(.PUT, "/api/v1/organisations/T91", headers: headers, body: ByteBuffer(string: body)) { res async throws in
            result = (res.status, res.text)
        }
        return result
    }

    func testATokenActsForItsOwnerAndIsStoredOnlyAsADigest() async throws {
        try await withTokenOwner { app, _, tokens in
            let token = try await tokens.issue(email: "Jane.Smith@nhs.net", organisation: "T91", role: "org-admin", name: "Datix sync", days: 30)
            XCTAssertTrue(token.hasPrefix("assure_"))
            let stored = try await APIToken.query(on: app.db).filter(\.$name != "tests").all()
            XCTAssertEqual(stored.map(\.tokenDigest), [Secret.digest(token)])
            let (status, _) = try await rename(app, token: token)
            XCTAssertEqual(status, .ok)
            let trail = try await AuditTrail.page(after: 0, limit: 1_000, on: app.db as! any SQLDatabase)
            XCTAssertEqual(trail.last?.actor, "jane.smith@nhs.net")
            XCTAssertEqual(trail.first { $0.action == "issue-token" }?.organisationCode, "T91")
            XCTAssertFalse(trail.contains { $0.changes.contains(token) }, "the token is never recorded")
            let used = try await APIToken.query(on: app.db).filter(\.$name == "Datix sync").first()
            XCTAssertNotNil(used?.lastUsedAt)
        }
    }

    func testUnknownExpiredAndRevokedTokensAreRefused() async throws {
        try await withTokenOwner { app, clock, tokens in
            let (unknown, body) = try await rename(app, token: "assure_not-a-real-token")
            XCTAssertEqual(unknown, .unauthorized)
            XCTAssertTrue(body.contains("application/problem+json") || body.contains("not valid"))
            let shortLived = try await tokens.issue(email: "jane.smith@nhs.net", organisation: "T91", role: "viewer", name: "short", days: 1)
            clock.advance(86_401)
            let (expired, _) = try await rename(app, token: shortLived)
            XCTAssertEqual(expired, .unauthorized)
            let revoked = try await tokens.issue(email: "jane.smith@nhs.net", organisation: "T91", role: "viewer", name: "to revoke", days: 5)
            try await tokens.revoke(email: "jane.smith@nhs.net", name: "to revoke")
            let (afterRevoke, _) = try await rename(app, token: revoked)
            XCTAssertEqual(afterRevoke, .unauthorized)
        }
    }

    func testATokensRoleIsNoHigherThanTheOwnersInThatOrganisation() async throws {
        try await withTokenOwner { app, _, tokens in
            // Manager at T91 and oversight reaching down from Q9A: a viewer token for a Q9A practice is fine…
            _ = try await tokens.issue(email: "jane.smith@nhs.net", organisation: "Z99001", role: "viewer", name: "practice read", days: 10)
            let refused: [(String, String, String)] = [
                ("T91", "clinical-safety-officer", "role"), ("T91", "system-admin", "role"), ("T91", "auditor", "role"),
                ("Z99001", "manager", "role"), ("T94", "viewer", "role"), ("T91", "emperor", "role"),
            ]
            for (organisation, role, field) in refused {
                do {
                    _ = try await tokens.issue(email: "jane.smith@nhs.net", organisation: organisation, role: role, name: "x", days: 10)
                    XCTFail("\(role) at \(organisation) should be refused")
                } catch let error as AssureError {
                    XCTAssertEqual(error.problems.first?.field, field, "\(role) at \(organisation)")
                }
            }
            for days in [0, 400] {
                do {
                    _ = try await tokens.issue(email: "jane.smith@nhs.net", organisation: "T91", role: "viewer", name: "x", days: days)
                    XCTFail("\(days) days")
                } catch let error as AssureError {
                    XCTAssertEqual(error.problems.first?.field, "days")
                }
            }
            let count = try await APIToken.query(on: app.db).filter(\.$name != "tests").count()
            XCTAssertEqual(count, 1)
        }
    }

    func testTheAPINeverReadsCookies() async throws {
        try await withTokenOwner { app, _, _ in
            try await UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
                .setPassword(email: "jane.smith@nhs.net", "kettle marmalade oak")
            let sessionMaybe = try await signIn(app, "jane.smith@nhs.net", "kettle marmalade oak")
            let session = try XCTUnwrap(sessionMaybe)
            _ = try await rename(app, token: nil, cookie: session)
            let trail = try await AuditTrail.page(after: 0, limit: 1_000, on: app.db as! any SQLDatabase)
            XCTAssertEqual(trail.filter { $0.entityID == "T91" && $0.action == "update" }.last?.actor ?? "anonymous", "anonymous",
                           "a session cookie does not authenticate an API call")
        }
    }

    private func status(_ app: Application, _ method: HTTPMethod, _ path: String, token: String, body: String? = nil) async throws -> HTTPStatus {
        var headers = jsonHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: token)
        var status: HTTPStatus = .ok
        try await app.test(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) }) { res async throws in status = res.status }
        return status
    }

    static let newRisk = #"{"title":"Token risk","owner":"jane.smith@nhs.net","cause":"c","event":"e","effect":"f","category":"cyber-security","opened":"2026-01-01","initial_likelihood":2,"initial_consequence":2,"current_likelihood":2,"current_consequence":2,"target_likelihood":1,"target_consequence":2}"#

    func testATokenNeverOutlivesItsOwnersRole() async throws {
        try await withTokenOwner { app, _, tokens in
            let admin = try await TestCredentials.make(role: .systemAdmin, organisation: nil, on: app, email: "admin@tokens.test")
            let token = try await tokens.issue(email: "jane.smith@nhs.net", organisation: "T91", role: "manager", name: "sync", days: 30)
            var code = try await status(app, .POST, "/api/v1/organisations/T91/risks", token: token, body: Self.newRisk)
            XCTAssertEqual(code, .created)
            // Demoted behind the token's back (no revocation ran): it acts as the lower role at once.
            let jane = try await XCTUnwrapAsync(try await User.query(on: app.db).filter(\.$email == "jane.smith@nhs.net").first())
            let t91 = try await OrganisationDirectory(database: app.db).require("T91")
            try await OrganisationMembership.query(on: app.db).filter(\.$user.$id == jane.requireID()).filter(\.$role == "manager").delete()
            try await OrganisationMembership(userID: jane.requireID(), organisationID: t91.id, role: .viewer).create(on: app.db)
            code = try await status(app, .POST, "/api/v1/organisations/T91/risks", token: token, body: Self.newRisk)
            XCTAssertEqual(code, .forbidden, "a viewer may not create")
            code = try await status(app, .GET, "/api/v1/organisations/T91/risks", token: token)
            XCTAssertEqual(code, .ok, "but may still read")
            // Every role there removed through the People API: the token is revoked and refused.
            for membership in try await OrganisationMembership.query(on: app.db).filter(\.$user.$id == jane.requireID()).filter(\.$organisation.$id == t91.id).all() {
                try await app.send(.DELETE, "/api/v1/organisations/T91/members/\(membership.requireID())", as: .some(admin)) { res async throws in XCTAssertEqual(res.status, .noContent) }
            }
            code = try await status(app, .GET, "/api/v1/organisations/T91/risks", token: token)
            XCTAssertEqual(code, .unauthorized)
            code = try await status(app, .POST, "/api/v1/organisations/T91/risks", token: token, body: Self.newRisk)
            XCTAssertEqual(code, .unauthorized)
            let revoked = try await APIToken.query(on: app.db).filter(\.$name == "sync").first()
            XCTAssertNotNil(revoked?.revokedAt, "removing the role revoked the token")
            let trail = try await auditEntries(app)
            XCTAssertTrue(trail.contains { $0.action == "revoke-role" && $0.changes.contains("api_tokens") })
        }
    }

    func testResetDisableAndSignOutEverywhereEndEveryToken() async throws {
        try await withTokenOwner { app, _, tokens in
            let jane = try await XCTUnwrapAsync(try await User.query(on: app.db).filter(\.$email == "jane.smith@nhs.net").first())
            let id = try jane.requireID().uuidString
            let admin = try await TestCredentials.make(role: .systemAdmin, organisation: nil, on: app, email: "admin@tokens.test")
            for (action, says) in [("reset-password", "API token"), ("sign-out-everywhere", "1 API token"), ("disable", "API token")] {
                let token = try await tokens.issue(email: "jane.smith@nhs.net", organisation: "T91", role: "viewer", name: action, days: 30)
                var code = try await status(app, .GET, "/api/v1/organisations/T91/risks", token: token)
                XCTAssertEqual(code, .ok)
                try await app.send(.POST, "/people/\(id)/\(action)", headers: ["Content-Type": "application/x-www-form-urlencoded"], as: .some(admin)) { res async throws in
                    XCTAssertEqual(res.status, .ok, action)
                    XCTAssertTrue(res.text.contains(says), "\(action): the person's page says the tokens ended")
                }
                code = try await status(app, .GET, "/api/v1/organisations/T91/risks", token: token)
                XCTAssertEqual(code, .unauthorized, action)
                if action == "disable" { try await app.send(.POST, "/people/\(id)/enable", headers: ["Content-Type": "application/x-www-form-urlencoded"], as: .some(admin)) }
            }
        }
    }
}
