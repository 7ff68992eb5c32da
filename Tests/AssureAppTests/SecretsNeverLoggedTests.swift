import AssureCore
import Fluent
import Logging
import NIOConcurrencyHelpers
import XCTVapor
@testable import AssureApp

/// Every log line Assure writes at trace level, through the real log handler, while people sign
/// in (by password and single sign-on), fail to, use sessions and API tokens and set passwords
/// from links: none of the passwords, tokens, session ids, CSRF tokens, links, codes or client
/// secrets appears.
final class SecretsNeverLoggedTests: XCTestCase {
    /// Logging can be bootstrapped once per process; lines are kept only while a test captures.
    static let capture = NIOLockedValueBox<(on: Bool, lines: [String])>((false, []))
    static let installed: Void = {
        LoggingSystem.bootstrap { label in
            JSONLogHandler(label: label, level: .trace) { data in
                let line = String(decoding: data, as: UTF8.self)
                let kept = capture.withLockedValue { state -> Bool in
                    if state.on { state.lines.append(line) }
                    return state.on
                }
                // Outside a capture, keep warnings visible as before.
                if !kept, line.contains(#""level":"warning""#) || line.contains(#""level":"error""#) || line.contains(#""level":"critical""#) {
                    FileHandle.standardError.write(data)
                }
            }
        }
    }()

    func testNoSecretEverAppearsInTheLogs() async throws {
        _ = Self.installed
        Self.capture.withLockedValue { $0 = (true, []) }
        defer { Self.capture.withLockedValue { $0.on = false } }
        var secrets: [String: String] = [:]
        let provider = try await OIDCTestProvider.start()
        secrets["client secret"] = OIDCTestProvider.clientSecret
        do {
            try await withAssure(demo: true, configuring: { $0.logLevel = .trace; $0.singleSignOn = provider.settings }) { app in
                let password = "pebble saffron viaduct", wrong = "mistyped saffron viaduct"
                secrets["password"] = password
                secrets["wrong password"] = wrong
                let accounts = UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
                _ = try await accounts.create(email: "sso.person@avalon.example", displayName: "Sam", password: password)
                try await accounts.grant(email: "sso.person@avalon.example", role: "org-admin", organisation: "T91")

                _ = try await signIn(app, "sso.person@avalon.example", wrong, expect: .unauthorized)
                let signedIn = try await signIn(app, "sso.person@avalon.example", password)
                let session = try XCTUnwrap(signedIn)
                secrets["session id"] = session
                let csrf = try await csrfToken(app, cookie: session)
                secrets["CSRF token"] = csrf
                var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SessionCookie.name)=\(session)"]

                // A personal API token, created on the page and used on the API.
                try await app.test(.POST, "/account/tokens", headers: headers,
                                   body: ByteBuffer(string: "name=sync&scope=T91%7Corg-admin&days=7&csrf_token=\(csrf)")) { res async throws in
                    let marker = "<code class=\"secret\">"
                    let range = try XCTUnwrap(res.text.range(of: marker))
                    secrets["API token"] = String(res.text[range.upperBound...].prefix { $0 != "<" })
                }
                try await app.test(.GET, "/api/v1/organisations/T91/members", headers: ["Authorization": "Bearer \(secrets["API token"] ?? "")"]) { res async throws in
                    XCTAssertEqual(res.status, .ok)
                }
                try await app.test(.GET, "/api/v1/organisations/T91", headers: ["Authorization": "Bearer assure_not-a-real-token"]) { res async throws in
                    XCTAssertEqual(res.status, .unauthorized)
                }
                secrets["rejected API token"] = "assure_not-a-real-token"

                // An invitation link, and the password set from it.
                var page = ""
                try await app.test(.POST, "/organisations/T91/people", headers: headers,
                                   body: ByteBuffer(string: "email=new.starter%40avalon.example&display_name=New+Starter&role=viewer&csrf_token=\(csrf)")) { res async throws in
                    page = res.text
                }
                let range = try XCTUnwrap(page.range(of: "/set-password?token="))
                let tail: Substring = page[range.upperBound...]
                let link = String(tail.prefix { (c: Character) -> Bool in c.isLetter || c.isNumber || c == "-" || c == "_" })
                secrets["invitation link"] = link
                let starterPassword = "walnut cobalt meridian"
                secrets["new starter's password"] = starterPassword
                try await app.test(.GET, "/set-password?token=\(link)") { res async throws in XCTAssertEqual(res.status, .ok) }
                try await app.test(.POST, "/set-password", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                   body: ByteBuffer(string: "token=\(link)&password=walnut+cobalt+meridian&confirm=walnut+cobalt+meridian")) { res async throws in
                    XCTAssertEqual(res.status, .ok)
                }

                // Single sign-on: state, code and the client secret travel through Assure.
                let back = try await SingleSignOnTests.goToProvider(app, provider)
                let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: back.callback)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
                secrets["state"] = query["state"]
                secrets["authorisation code"] = query["code"]
                let attempt = SingleSignOnAttempt.Secrets(back.stateCookie)
                secrets["single sign-on nonce"] = attempt.nonce
                secrets["PKCE verifier"] = attempt.verifier
                secrets["single sign-on browser secret"] = back.stateCookie
                let (status, ssoSession, _) = try await SingleSignOnTests.comeBack(app, back)
                XCTAssertEqual(status, .seeOther)
                secrets["single sign-on session id"] = ssoSession

                headers.replaceOrAdd(name: .cookie, value: "\(SessionCookie.name)=\(session)")
                try await app.test(.POST, "/sign-out", headers: headers, body: ByteBuffer(string: "csrf_token=\(csrf)")) { _ async throws in }
            }
        } catch {
            await provider.stop()
            throw error
        }
        await provider.stop()

        let lines = Self.capture.withLockedValue { $0.lines }
        try? lines.joined().write(toFile: NSTemporaryDirectory() + "assure-secrets-test.log", atomically: true, encoding: .utf8)
        XCTAssertTrue(lines.contains { $0.contains(#"POST \/sign-in"#) }, "requests were logged, so the capture works")
        XCTAssertGreaterThan(lines.count, 50)
        XCTAssertEqual(secrets.count, 15)
        for (what, secret) in secrets {
            XCTAssertGreaterThanOrEqual(secret.count, 8, what)
            let found = lines.filter { $0.contains(secret) || $0.contains(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret) }
            XCTAssertTrue(found.isEmpty, "the \(what) appears in the logs: \(found.first ?? "")")
        }
    }
}
