import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Administrators add people, give and remove roles, disable accounts and reset passwords, from
/// the pages and the API; people set their own passwords from a single-use link, change them,
/// and manage their own API tokens.
final class PeopleAdministrationTests: XCTestCase {
    let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
    let newPassword = "harbour lantern thistle"

    func encoded(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value }

    /// The invitation or reset link on a page or in JSON, as a path with its query.
    func link(in text: String) throws -> String {
        let marker = "/set-password?token="
        let range = try XCTUnwrap(text.range(of: marker), "a link is shown")
        let token = text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return marker + token
    }

    func setPassword(_ app: Application, link: String, password: String, confirm: String? = nil) async throws -> HTTPStatus {
        let token = String(link.dropFirst("/set-password?token=".count))
        var status = HTTPStatus.ok
        try await app.test(.POST, "/set-password", headers: form,
                           body: ByteBuffer(string: "token=\(token)&password=\(encoded(password))&confirm=\(encoded(confirm ?? password))")) { res async throws in
            status = res.status
        }
        return status
    }

    func testAnOrganisationAdministratorInvitesAPersonWhoSetsAPasswordAndSignsIn() async throws {
        try await withAssure(demo: true) { app in
            let admin = try await TestCredentials.make(role: .orgAdmin, organisation: "Q9A", on: app, email: "icb.admin@avalon.example")
            var page = ""
            try await app.send(.POST, "/organisations/T91/people", headers: form,
                               body: ByteBuffer(string: "email=Pat.Jones%40avalon.example&display_name=Pat+Jones&role=manager"), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                page = res.text
            }
            XCTAssertTrue(page.contains("Invitation link for pat.jones@avalon.example"))
            let invitation = try link(in: page)
            try await app.send(.GET, "/organisations/T91/people", as: .some(admin)) { res async throws in
                XCTAssertTrue(res.text.contains("Pat Jones"))
                XCTAssertFalse(res.text.contains("/set-password?token="), "the link is shown once")
            }
            try await app.test(.GET, invitation) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Welcome to Assure"))
            }
            let mismatch = try await setPassword(app, link: invitation, password: newPassword, confirm: "something else entirely")
            XCTAssertEqual(mismatch, .unprocessableEntity)
            let weak = try await setPassword(app, link: invitation, password: "password1234")
            XCTAssertEqual(weak, .unprocessableEntity)
            let set = try await setPassword(app, link: invitation, password: newPassword)
            XCTAssertEqual(set, .ok)
            let reused = try await setPassword(app, link: invitation, password: newPassword)
            XCTAssertEqual(reused, .notFound, "a link works once")
            let session = try await signIn(app, "pat.jones@avalon.example", newPassword)
            XCTAssertNotNil(session)
            let actions = try await auditEntries(app).map(\.action)
            XCTAssertTrue(actions.contains("create") && actions.contains("grant-role") && actions.contains("set-password"))
            let leaked = try await auditEntries(app).contains { $0.changes.contains("set-password?token") }
            XCTAssertFalse(leaked, "links are never audited")
        }
    }

    func testBadInputAndReachAreRefusedWithNothingWritten() async throws {
        try await withAssure(demo: true) { app in
            let admin = try await TestCredentials.make(role: .orgAdmin, organisation: "Q9A", on: app, email: "icb.admin@avalon.example")
            let users = try await User.query(on: app.db).count()
            try await app.send(.POST, "/organisations/T91/people", headers: form,
                               body: ByteBuffer(string: "email=not-an-email&display_name=&role=wizard"), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("href=\"#email\""))
                XCTAssertTrue(res.text.contains("href=\"#role\""))
            }
            try await app.send(.POST, "/organisations/T91/people", headers: form,
                               body: ByteBuffer(string: "email=new.person%40avalon.example&display_name=&role=viewer"), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "a new account needs a name")
                XCTAssertTrue(res.text.contains("Enter the person"))
            }
            try await app.send(.POST, "/organisations/T91/people", headers: form,
                               body: ByteBuffer(string: "email=x%40avalon.example&display_name=X&role=system-admin"), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
            }
            try await app.send(.POST, "/organisations/T94/people", headers: form,
                               body: ByteBuffer(string: "email=x%40avalon.example&display_name=X&role=viewer"), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .notFound, "another ICB's trust is out of reach")
            }
            let after = try await User.query(on: app.db).count()
            XCTAssertEqual(after, users)
        }
    }

    func testDisablingAndResettingNeedEveryRoleInReach() async throws {
        try await withAssure(demo: true) { app in
            let admin = try await TestCredentials.make(role: .orgAdmin, organisation: "Q9A", on: app, email: "icb.admin@avalon.example")
            let accounts = UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
            let local = try await accounts.create(email: "local@avalon.example", displayName: "Local Person", password: newPassword)
            try await accounts.grant(email: "local@avalon.example", role: "viewer", organisation: "T91")
            let shared = try await accounts.create(email: "shared@avalon.example", displayName: "Shared Person", password: newPassword)
            try await accounts.grant(email: "shared@avalon.example", role: "viewer", organisation: "T91")
            try await accounts.grant(email: "shared@avalon.example", role: "manager", organisation: "T94")
            let localSession = try await signIn(app, "local@avalon.example", newPassword)

            try await app.send(.POST, "/people/\(try shared.requireID())/disable", headers: form, as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .notFound, "a role in another ICB's trust protects the account")
            }
            try await app.send(.POST, "/people/\(try local.requireID())/disable", headers: form, as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Account disabled"))
            }
            try await app.test(.GET, "/organisations", headers: ["Cookie": "\(SessionCookie.name)=\(localSession ?? "")"]) { res async throws in
                XCTAssertFalse(res.text.contains("Signed in as"), "disabling signs the person out")
            }
            _ = try await signIn(app, "local@avalon.example", newPassword, expect: .unauthorized)
            try await app.send(.POST, "/people/\(try local.requireID())/enable", headers: form, as: .some(admin)) { res async throws in XCTAssertEqual(res.status, .ok) }

            // An organisation administrator's reset ends the password but never shows them a link.
            try await app.send(.POST, "/people/\(try local.requireID())/reset-password", headers: form, as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertFalse(res.text.contains("set-password?token="), "the organisation administrator never sees the link")
                XCTAssertTrue(res.text.contains("ask a system administrator"))
            }
            _ = try await signIn(app, "local@avalon.example", newPassword, expect: .unauthorized)
            let asked = try await auditEntries(app).last { $0.action == "reset-password" }
            XCTAssertEqual(asked?.actor, "icb.admin@avalon.example", "the audit trail records who asked")
            // A system administrator issues the link, with a warning, once.
            var page = ""
            try await app.send(.POST, "/people/\(try local.requireID())/reset-password", headers: form) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("can take over the account"))
                page = res.text
            }
            let status = try await setPassword(app, link: try link(in: page), password: "quiet river lighthouse")
            XCTAssertEqual(status, .ok)
            let again = try await signIn(app, "local@avalon.example", "quiet river lighthouse")
            XCTAssertNotNil(again)

            let adminID = try await admin.userID(app)
            try await app.send(.POST, "/people/\(adminID)/disable", headers: form, as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .conflict, "no one disables their own account")
                XCTAssertTrue(res.text.contains("You cannot disable your own account"))
            }
        }
    }

    func testTheMembersAPIAddsListsAndRemoves() async throws {
        try await withAssure(demo: true) { app in
            let admin = try await TestCredentials.make(role: .orgAdmin, organisation: "Q9A", on: app, email: "icb.admin@avalon.example")
            var membership = ""
            try await app.send(.POST, "/api/v1/organisations/T91/members", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"email":"api.person@avalon.example","display_name":"API Person","role":"auditor"}"#), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .created)
                let json = try res.json()
                XCTAssertEqual(json["account_created"] as? Bool, true)
                XCTAssertTrue((json["invitation_link"] as? String)?.contains("/set-password?token=") ?? false)
                membership = ((json["member"] as? [String: Any])?["id"] as? String) ?? ""
            }
            try await app.send(.POST, "/api/v1/organisations/T91/members", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"email":"api.person@avalon.example","role":"auditor"}"#), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .conflict)
            }
            try await app.send(.POST, "/api/v1/organisations/T91/members", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"email":"api.person@avalon.example","role":"overlord"}"#), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("\"role\""))
            }
            try await app.send(.GET, "/api/v1/organisations/T91/members", as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("api.person@avalon.example"))
            }
            try await app.send(.DELETE, "/api/v1/organisations/T94/members/\(membership)", as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .notFound)
            }
            try await app.send(.DELETE, "/api/v1/organisations/T91/members/\(membership)", as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .noContent)
            }
            try await app.send(.DELETE, "/api/v1/organisations/T91/members/\(membership)", as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .notFound)
            }
            let last = try await auditEntries(app).last
            XCTAssertEqual(last?.action, "revoke-role")
        }
    }

    func testSystemAdministratorsCreateAccountsAndSeeEveryone() async throws {
        try await withAssure(demo: true) { app in
            var id = ""
            try await app.send(.POST, "/api/v1/users", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"email":"second.admin@avalon.example","display_name":"Second Admin","system_admin":true}"#)) { res async throws in
                XCTAssertEqual(res.status, .created)
                let user = try XCTUnwrap(try res.json()["user"] as? [String: Any])
                id = user["id"] as? String ?? ""
                XCTAssertEqual((user["roles"] as? [[String: Any]])?.first?["role"] as? String, "system-admin")
            }
            try await app.send(.POST, "/api/v1/users/\(id)/reset-password", headers: jsonHeaders()) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("password_reset_link"))
            }
            try await app.send(.GET, "/people?q=second") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Second Admin"))
                XCTAssertTrue(res.text.contains("<caption>1 account</caption>"), "the search narrows the list")
            }
            try await app.send(.POST, "/people", headers: form, body: ByteBuffer(string: "email=second.admin%40avalon.example&display_name=Again")) { res async throws in
                XCTAssertEqual(res.status, .conflict)
            }
        }
    }

    func testPeopleManageTheirOwnPasswordAndTokens() async throws {
        try await withAssure(demo: true) { app in
            let accounts = UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
            _ = try await accounts.create(email: "cyber.lead@avalon.example", displayName: "Cyber Lead", password: newPassword)
            try await accounts.grant(email: "cyber.lead@avalon.example", role: "manager", organisation: "T91")
            let other = try await signIn(app, "cyber.lead@avalon.example", newPassword)
            let signedIn = try await signIn(app, "cyber.lead@avalon.example", newPassword)
            let session = try XCTUnwrap(signedIn)
            let csrf = try await csrfToken(app, cookie: session)
            var headers = form
            headers.add(name: .cookie, value: "\(SessionCookie.name)=\(session)")

            try await app.test(.POST, "/account/password", headers: headers,
                               body: ByteBuffer(string: "current=wrong&password=x&confirm=x&csrf_token=\(csrf)")) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("Your current password is not right"))
            }
            try await app.test(.POST, "/account/password", headers: headers,
                               body: ByteBuffer(string: "current=\(encoded(newPassword))&password=\(encoded("copper meadow falcon"))&confirm=\(encoded("copper meadow falcon"))&csrf_token=\(csrf)")) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Password changed"))
            }
            try await app.test(.GET, "/organisations", headers: ["Cookie": "\(SessionCookie.name)=\(other ?? "")"]) { res async throws in
                XCTAssertFalse(res.text.contains("Signed in as"), "other sessions end when the password changes")
            }

            try await app.test(.POST, "/account/tokens", headers: headers,
                               body: ByteBuffer(string: "name=CMDB+sync&scope=T91%7Corg-admin&days=30&csrf_token=\(csrf)")) { res async throws in
                XCTAssertEqual(res.status, .forbidden, "no higher than a role the owner holds")
            }
            var token = ""
            try await app.test(.POST, "/account/tokens", headers: headers,
                               body: ByteBuffer(string: "name=CMDB+sync&scope=T91%7Cviewer&days=30&csrf_token=\(csrf)")) { res async throws in
                XCTAssertEqual(res.status, .ok)
                let marker = "<code class=\"secret\">"
                let range = try XCTUnwrap(res.text.range(of: marker))
                token = String(res.text[range.upperBound...].prefix { $0 != "<" })
            }
            XCTAssertTrue(token.hasPrefix(APIToken.prefix))
            try await app.test(.GET, "/api/v1/organisations/T91", headers: ["Authorization": "Bearer \(token)"]) { res async throws in
                XCTAssertEqual(res.status, .ok)
            }
            let stored = try await APIToken.query(on: app.db).filter(\.$name == "CMDB sync").first()
            let id = try XCTUnwrap(stored?.id)
            try await app.test(.POST, "/account/tokens/revoke", headers: headers, body: ByteBuffer(string: "token=\(id)&csrf_token=\(csrf)")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.test(.GET, "/api/v1/organisations/T91", headers: ["Authorization": "Bearer \(token)"]) { res async throws in
                XCTAssertEqual(res.status, .unauthorized)
            }
            try await app.send(.POST, "/account/tokens/revoke", headers: form, body: ByteBuffer(string: "token=\(id)")) { res async throws in
                XCTAssertEqual(res.status, .notFound, "someone else's token cannot be revoked")
            }
        }
    }
}

extension TestCredentials {
    func userID(_ app: Application) async throws -> UUID {
        try await User.query(on: app.db).filter(\.$email == email).first()!.requireID()
    }
}
