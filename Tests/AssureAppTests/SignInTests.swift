import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// A clock tests can move.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 2_000_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// Signs in through the real form and returns the session cookie header value.
func signIn(_ app: Application, _ email: String, _ password: String, expect status: HTTPStatus = .seeOther) async throws -> String? {
    var formToken = ""
    try await app.test(.GET, "/sign-in") { res async throws in
        formToken = res.headers.setCookie?[SignInPage.formCookie]?.string ?? ""
    }
    var session: String?
    let body = "email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&form_token=\(formToken)&next=%2Forganisations%2FT91"
    try await app.test(.POST, "/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SignInPage.formCookie)=\(formToken)"],
                       body: ByteBuffer(string: body)) { res async throws in
        XCTAssertEqual(res.status, status, res.text)
        session = res.headers.setCookie?[SessionCookie.name]?.string
    }
    return session.flatMap { $0.isEmpty ? nil : $0 }
}

func csrfToken(_ app: Application, cookie: String) async throws -> String {
    var token = ""
    // Every page's header carries a sign-out form with the session's token.
    try await app.test(.GET, "/organisations", headers: ["Cookie": "\(SessionCookie.name)=\(cookie)"]) { res async throws in
        let html = res.text
        let marker = #"name="csrf_token" value=""#
        if let range = html.range(of: marker) { token = String(html[range.upperBound...].prefix { $0 != "\"" }) }
    }
    return token
}

final class SignInTests: XCTestCase {
    private let password = "kettle marmalade oak"

    private func withAccount(_ test: (Application, TestClock) async throws -> Void) async throws {
        try await withAssure(demo: true) { app in
            let clock = TestClock()
            app.clock = AssureClock(now: { clock.now })
            let accounts = UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
            _ = try await accounts.create(email: "jane.smith@nhs.net", displayName: "Jane Smith", password: password)
            try await accounts.grant(email: "jane.smith@nhs.net", role: "manager", organisation: "T91")
            try await accounts.grant(email: "jane.smith@nhs.net", role: "org-admin", organisation: "T91")
            try await test(app, clock)
        }
    }

    func testSigningInSetsAStrictHttpOnlyCookieAndShowsWhoIsSignedIn() async throws {
        try await withAccount { app, _ in
            var formToken = ""
            try await app.test(.GET, "/sign-in") { res async throws in
                formToken = res.headers.setCookie?[SignInPage.formCookie]?.string ?? ""
                XCTAssertTrue(res.text.contains("Sign in"))
            }
            try await app.test(.POST, "/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SignInPage.formCookie)=\(formToken)"],
                               body: ByteBuffer(string: "email=Jane.Smith%40nhs.net&password=kettle+marmalade+oak&form_token=\(formToken)&next=%2Forganisations%2FT91")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T91")
                let cookie = try XCTUnwrap(res.headers.first(name: .setCookie).map { _ in res.headers[.setCookie].joined(separator: "\n") })
                XCTAssertTrue(cookie.contains("\(SessionCookie.name)="))
                XCTAssertTrue(cookie.contains("HttpOnly"))
                XCTAssertTrue(cookie.contains("SameSite=Strict"))
                XCTAssertFalse(cookie.contains("Secure"), "not over plain HTTP")
            }
            let session = try await signIn(app, "jane.smith@nhs.net", password)
            let stored = try await SignInSession.query(on: app.db).join(User.self, on: \SignInSession.$user.$id == \User.$id)
                .filter(User.self, \.$email == "jane.smith@nhs.net").all()
            XCTAssertEqual(stored.count, 2)
            XCTAssertFalse(stored.contains { $0.tokenDigest == session }, "only a digest of the id is stored")
            try await app.test(.GET, "/organisations", headers: ["Cookie": "\(SessionCookie.name)=\(session ?? "")"]) { res async throws in
                XCTAssertTrue(res.text.contains("Signed in as jane.smith@nhs.net"))
            }
        }
    }

    func testFailuresGetOneGenericMessageAndAreAudited() async throws {
        try await withAccount { app, clock in
            _ = try await signIn(app, "jane.smith@nhs.net", "wrong password here", expect: .unauthorized)
            clock.advance(1)
            _ = try await signIn(app, "nobody@nhs.net", "wrong password here", expect: .unauthorized)
            let trail = try await AuditTrail.page(after: 0, limit: 1_000, on: app.db as! any SQLDatabase)
            XCTAssertEqual(trail.filter { $0.action == "sign-in-failed" }.map(\.entityID), ["jane.smith@nhs.net", "nobody@nhs.net"])
            try await app.test(.POST, "/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                               body: ByteBuffer(string: "email=jane.smith%40nhs.net&password=x&form_token=forged")) { res async throws in
                XCTAssertEqual(res.status, .forbidden, "a sign-in form not issued to this browser is refused")
            }
        }
    }

    func testRepeatedFailuresBackOffEvenForTheRightPassword() async throws {
        try await withAccount { app, clock in
            for _ in 0..<5 { _ = try await signIn(app, "jane.smith@nhs.net", "wrong password here", expect: .unauthorized) }
            _ = try await signIn(app, "jane.smith@nhs.net", password, expect: .tooManyRequests)
            clock.advance(2)
            let session = try await signIn(app, "jane.smith@nhs.net", password)
            XCTAssertNotNil(session)
        }
    }

    func testIdleAndAbsoluteTimeoutsEndTheSession() async throws {
        try await withAccount { app, clock in
            let sessionMaybe = try await signIn(app, "jane.smith@nhs.net", password)
            let session = try XCTUnwrap(sessionMaybe)
            func signedIn() async throws -> Bool {
                var result = false
                try await app.test(.GET, "/organisations", headers: ["Cookie": "\(SessionCookie.name)=\(session)"]) { res async throws in
                    result = res.text.contains("Signed in as")
                }
                return result
            }
            clock.advance(29 * 60)
            let alive = try await signedIn()
            XCTAssertTrue(alive)
            // Used every 29 minutes it stays alive until 12 hours after sign-in.
            for _ in 0..<23 { clock.advance(29 * 60); _ = try await signedIn() }
            clock.advance(29 * 60)
            let afterAbsolute = try await signedIn()
            XCTAssertFalse(afterAbsolute, "absolute timeout")
            let freshMaybe = try await signIn(app, "jane.smith@nhs.net", password)
            let fresh = try XCTUnwrap(freshMaybe)
            clock.advance(31 * 60)
            var stillIn = false
            try await app.test(.GET, "/organisations", headers: ["Cookie": "\(SessionCookie.name)=\(fresh)"]) { res async throws in
                stillIn = res.text.contains("Signed in as")
            }
            XCTAssertFalse(stillIn, "idle timeout")
        }
    }

    func testSignInReplacesAnExistingSessionId() async throws {
        try await withAccount { app, _ in
            let firstMaybe = try await signIn(app, "jane.smith@nhs.net", password)
            let first = try XCTUnwrap(firstMaybe)
            var formToken = ""
            try await app.test(.GET, "/sign-in") { res async throws in formToken = res.headers.setCookie?[SignInPage.formCookie]?.string ?? "" }
            var second = ""
            try await app.test(.POST, "/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded",
                                                          "Cookie": "\(SignInPage.formCookie)=\(formToken); \(SessionCookie.name)=\(first)"],
                               body: ByteBuffer(string: "email=jane.smith%40nhs.net&password=kettle+marmalade+oak&form_token=\(formToken)")) { res async throws in
                second = res.headers.setCookie?[SessionCookie.name]?.string ?? ""
            }
            XCTAssertNotEqual(first, second)
            let firstStillValid = try await SignInSession.query(on: app.db).filter(\.$tokenDigest == Secret.digest(first)).count()
            XCTAssertEqual(firstStillValid, 0, "the old session id no longer works")
        }
    }

    func testFormsNeedTheSessionsCSRFTokenAndChangesAreAttributed() async throws {
        try await withAccount { app, _ in
            let sessionMaybe = try await signIn(app, "jane.smith@nhs.net", password)
            let session = try XCTUnwrap(sessionMaybe)
            let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SessionCookie.name)=\(session)"]
            let form = "name=Kingsmere+Hospitals+NHS+Foundation+Trust&type=foundation-trust&parent_ods_code=Q9A&dspt_category=1"
            try await app.test(.POST, "/organisations/T91/edit", headers: headers, body: ByteBuffer(string: form)) { res async throws in
                XCTAssertEqual(res.status, .forbidden)
            }
            try await app.test(.POST, "/organisations/T91/edit", headers: headers, body: ByteBuffer(string: form + "&csrf_token=forged")) { res async throws in
                XCTAssertEqual(res.status, .forbidden)
            }
            let token = try await csrfToken(app, cookie: session)
            XCTAssertFalse(token.isEmpty)
            try await app.test(.POST, "/organisations/T91/edit", headers: headers, body: ByteBuffer(string: form + "&csrf_token=\(token)")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            let last = try await AuditTrail.page(after: 0, limit: 1_000, on: app.db as! any SQLDatabase).last
            XCTAssertEqual(last?.actor, "jane.smith@nhs.net")
            XCTAssertEqual(last?.entityID, "T91")
        }
    }

    func testASignedInUploadCarriesItsTokenInItsAddress() async throws {
        try await withAccount { app, _ in
            try await UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
                .grant(email: "jane.smith@nhs.net", role: "system-admin", organisation: nil)
            let sessionMaybe = try await signIn(app, "jane.smith@nhs.net", password)
            let session = try XCTUnwrap(sessionMaybe)
            let token = try await csrfToken(app, cookie: session)
            let csv = "ods_code,name,type,parent_ods_code,dspt_category\nT97,Seaview NHS Trust,trust,Q9A,1\n"
            var headers = Multipart.headers
            headers.add(name: .cookie, value: "\(SessionCookie.name)=\(session)")
            try await app.test(.POST, "/organisations/import?csrf_token=\(token)", headers: headers, body: Multipart.body(file: csv)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.text)
                XCTAssertTrue(res.text.contains("1 added"))
            }
            try await app.test(.POST, "/organisations/import", headers: headers, body: Multipart.body(file: csv)) { res async throws in
                XCTAssertEqual(res.status, .forbidden, "no token, no upload")
            }
            try await app.test(.POST, "/organisations/import?csrf_token=\(token)x", headers: headers, body: Multipart.body(file: csv)) { res async throws in
                XCTAssertEqual(res.status, .forbidden, "another token, no upload")
            }
        }
    }

    func testSignOutAndSignOutEverywhere() async throws {
        try await withAccount { app, _ in
            let phoneMaybe = try await signIn(app, "jane.smith@nhs.net", password)
            let phone = try XCTUnwrap(phoneMaybe)
            let laptopMaybe = try await signIn(app, "jane.smith@nhs.net", password)
            let laptop = try XCTUnwrap(laptopMaybe)
            let token = try await csrfToken(app, cookie: laptop)
            try await app.test(.POST, "/sign-out-everywhere", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SessionCookie.name)=\(laptop)"],
                               body: ByteBuffer(string: "csrf_token=\(token)")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            let remaining = try await SignInSession.query(on: app.db).join(User.self, on: \SignInSession.$user.$id == \User.$id)
                .filter(User.self, \.$email == "jane.smith@nhs.net").count()
            XCTAssertEqual(remaining, 0)
            _ = phone
            let actions = try await AuditTrail.page(after: 0, limit: 1_000, on: app.db as! any SQLDatabase).map(\.action)
            XCTAssertEqual(actions.suffix(3), ["sign-in", "sign-in", "sign-out-everywhere"])
        }
    }

    func testOnlyLocalPathsAreFollowedAfterSignIn() {
        XCTAssertEqual(SignInPage.safeNext("/organisations/T91"), "/organisations/T91")
        for hostile in ["https://evil.example", "//evil.example", "/\\evil.example", nil] {
            XCTAssertEqual(SignInPage.safeNext(hostile), "/organisations")
        }
    }
}
