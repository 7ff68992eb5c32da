import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// OpenID Connect sign-in end to end against a real provider on loopback that signs real RS256
/// tokens: the happy path, and every way an ID token or the flow around it must be refused.
final class SingleSignOnTests: XCTestCase {
    /// Runs with Assure configured for the provider, and an account for the provider's person.
    func withSingleSignOn(_ test: (Application, OIDCTestProvider) async throws -> Void) async throws {
        let provider = try await OIDCTestProvider.start()
        do {
            try await withAssure(demo: true, configuring: { $0.singleSignOn = provider.settings }) { app in
                let accounts = UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
                _ = try await accounts.create(email: "sso.person@avalon.example", displayName: "Sam Single-Sign-On", password: nil)
                try await accounts.grant(email: "sso.person@avalon.example", role: "viewer", organisation: "T91")
                try await test(app, provider)
            }
        } catch {
            await provider.stop()
            throw error
        }
        await provider.stop()
    }

    struct Return {
        var callback: String
        var stateCookie: String
    }

    /// Plays the browser: starts at Assure, visits the provider's authorisation endpoint, and
    /// returns where the provider sends the browser back to, with the state cookie Assure set.
    static func goToProvider(_ app: Application, _ provider: OIDCTestProvider, next: String = "/organisations/T91") async throws -> Return {
        var location = "", cookie = ""
        try await app.test(.GET, SiteURL.singleSignOn.with(query: [("next", next)])) { res async throws in
            XCTAssertEqual(res.status, .seeOther)
            location = res.headers.first(name: .location) ?? ""
            cookie = res.headers.setCookie?[SingleSignOnRoutes.stateCookie]?.string ?? ""
        }
        let authorise = try XCTUnwrap(URLComponents(string: location))
        let items = Dictionary(uniqueKeysWithValues: (authorise.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        XCTAssertTrue(location.hasPrefix(provider.issuer + "/authorize"))
        XCTAssertEqual(items["code_challenge_method"], "S256")
        XCTAssertEqual(items["code_challenge"]?.count, 43, "base64url SHA-256")
        XCTAssertEqual(items["state"], SingleSignOnAttempt.Secrets(cookie).state, "the state follows from the browser's secret")
        XCTAssertNotEqual(items["state"], cookie, "the browser's secret never leaves the browser and Assure")
        XCTAssertEqual(items["redirect_uri"], "http://127.0.0.1:8080/sign-in/sso/callback")
        XCTAssertFalse((items["nonce"] ?? "").isEmpty)
        let answer = try await provider.app.client.get(URI(string: location))
        XCTAssertEqual(answer.status, .seeOther)
        let back = try XCTUnwrap(URLComponents(string: answer.headers.first(name: .location) ?? ""))
        return Return(callback: back.path + "?" + (back.percentEncodedQuery ?? ""), stateCookie: cookie)
    }

    /// Returns the status, the new session cookie (if any) and the page.
    static func comeBack(_ app: Application, _ back: Return, cookie: String? = nil) async throws -> (HTTPStatus, String?, String) {
        var result: (HTTPStatus, String?, String) = (.ok, nil, "")
        try await app.test(.GET, back.callback, headers: ["Cookie": "\(SingleSignOnRoutes.stateCookie)=\(cookie ?? back.stateCookie)"]) { res async throws in
            result = (res.status, res.headers.setCookie?[SessionCookie.name]?.string.nilIfEmpty, res.text)
        }
        return result
    }

    func testSignsInTheMatchingAccountAndLinksItsSubject() async throws {
        try await withSingleSignOn { app, provider in
            let (status, session, _) = try await Self.comeBack(app, try await Self.goToProvider(app, provider))
            XCTAssertEqual(status, .seeOther)
            let cookie = try XCTUnwrap(session, "a session was started")
            try await app.test(.GET, "/account", headers: ["Cookie": "\(SessionCookie.name)=\(cookie)"]) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("sso.person@avalon.example"))
            }
            let user = try await XCTUnwrapAsync(try await User.query(on: app.db).filter(\.$email == "sso.person@avalon.example").first())
            XCTAssertEqual(user.ssoSubject, "cis2-uid-555000111222")
            let actions = try await auditEntries(app).map(\.action)
            XCTAssertTrue(actions.contains("link-single-sign-on"))
            XCTAssertTrue(actions.contains("sign-in"))
            XCTAssertEqual(provider.tokenRequests, 1)

            // Next time the subject finds the account even if the provider's email changed.
            provider.behaviour.email = "renamed@avalon.example"
            let (again, secondSession, _) = try await Self.comeBack(app, try await Self.goToProvider(app, provider))
            XCTAssertEqual(again, .seeOther)
            XCTAssertNotNil(secondSession)
        }
    }

    func testBadIDTokensAreRefused() async throws {
        try await withSingleSignOn { app, provider in
            let cases: [(String, (inout OIDCTestProvider.Behaviour) -> Void, String)] = [
                ("wrong signature", { $0.signWithStrangerKey = true }, "signature is not valid"),
                ("unpublished key", { $0.unknownKeyID = true }, "key the provider does not publish"),
                ("wrong issuer", { $0.issuer = "https://evil.example" }, "issued by 'https://evil.example'"),
                ("wrong audience", { $0.audience = "someone-else" }, "not issued to Assure"),
                ("wrong nonce", { $0.nonce = "replayed-nonce" }, "nonce"),
                ("expired", { $0.expiresIn = -3600 }, "expired"),
            ]
            for (label, misbehave, reason) in cases {
                var behaviour = OIDCTestProvider.Behaviour()
                misbehave(&behaviour)
                provider.behaviour = behaviour
                let (status, session, page) = try await Self.comeBack(app, try await Self.goToProvider(app, provider))
                XCTAssertEqual(status, .unauthorized, label)
                XCTAssertNil(session, "\(label): no session")
                XCTAssertTrue(page.contains("Single sign-on did not complete"), label)
                let failure = try await auditEntries(app).last
                XCTAssertEqual(failure?.action, "sign-in-failed", label)
                XCTAssertTrue(failure?.changes.contains(reason) ?? false, "\(label): \(failure?.changes ?? "")")
            }
            let sessions = try await SignInSession.query(on: app.db).join(User.self, on: \SignInSession.$user.$id == \User.$id)
                .filter(User.self, \.$email == "sso.person@avalon.example").count()
            XCTAssertEqual(sessions, 0)
        }
    }

    func testARotatedKeyIsFetchedAndAccepted() async throws {
        try await withSingleSignOn { app, provider in
            app.identityProvider = IdentityProvider(settings: provider.settings, client: app.client, refetchInterval: 0)
            let (first, _, _) = try await Self.comeBack(app, try await Self.goToProvider(app, provider))
            XCTAssertEqual(first, .seeOther)
            try provider.rotateKey()
            let (second, session, _) = try await Self.comeBack(app, try await Self.goToProvider(app, provider))
            XCTAssertEqual(second, .seeOther)
            XCTAssertNotNil(session)
            XCTAssertEqual(provider.jwksRequests, 2, "the new key id made Assure fetch the keys again")
        }
    }

    func testStateIsTiedToTheBrowserAndUsedOnce() async throws {
        try await withSingleSignOn { app, provider in
            let back = try await Self.goToProvider(app, provider)
            let (forged, forgedSession, _) = try await Self.comeBack(app, back, cookie: "someone-elses-state")
            XCTAssertEqual(forged, .unauthorized)
            XCTAssertNil(forgedSession)
            XCTAssertEqual(provider.tokenRequests, 0, "the code is never exchanged for a browser that did not start the sign-in")

            let fresh = try await Self.goToProvider(app, provider)
            let (first, _, _) = try await Self.comeBack(app, fresh)
            XCTAssertEqual(first, .seeOther)
            let (replayed, replayedSession, _) = try await Self.comeBack(app, fresh)
            XCTAssertEqual(replayed, .unauthorized, "a state is used once")
            XCTAssertNil(replayedSession)
        }
    }

    func testAttemptsExpireAfterTenMinutes() async throws {
        let clock = TestClock()
        let provider = try await OIDCTestProvider.start()
        try await withAssure(demo: true, configuring: { $0.singleSignOn = provider.settings }) { app in
            app.clock = AssureClock(now: { clock.now })
            _ = try await UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
                .create(email: "sso.person@avalon.example", displayName: "Sam", password: nil)
            let back = try await Self.goToProvider(app, provider)
            clock.advance(11 * 60)
            let (status, session, _) = try await Self.comeBack(app, back)
            XCTAssertEqual(status, .unauthorized)
            XCTAssertNil(session)
        }
        await provider.stop()
    }

    func testUnknownOrDisabledPeopleAreNotSignedIn() async throws {
        try await withSingleSignOn { app, provider in
            provider.behaviour.email = "stranger@elsewhere.example"
            provider.behaviour.subject = "another-subject"
            var (status, session, page) = try await Self.comeBack(app, try await Self.goToProvider(app, provider))
            XCTAssertEqual(status, .unauthorized)
            XCTAssertNil(session)
            XCTAssertTrue(page.contains("Assure has no active account for you"))

            provider.behaviour = OIDCTestProvider.Behaviour()
            try await UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock).setStatus(email: "sso.person@avalon.example", .disabled)
            (status, session, _) = try await Self.comeBack(app, try await Self.goToProvider(app, provider))
            XCTAssertEqual(status, .unauthorized)
            XCTAssertNil(session)
        }
    }

    func testTheProviderErrorIsShownAndAudited() async throws {
        try await withSingleSignOn { app, provider in
            var back = try await Self.goToProvider(app, provider)
            let state = URLComponents(string: back.callback)?.queryItems?.first { $0.name == "state" }?.value ?? ""
            back.callback = SiteURL.singleSignOnCallback.with(query: [("error", "access_denied"), ("state", state)])
            let (status, _, page) = try await Self.comeBack(app, back)
            XCTAssertEqual(status, .unauthorized)
            XCTAssertTrue(page.contains("did not sign you in (access_denied)"))
            let last = try await auditEntries(app).last
            XCTAssertTrue(last?.changes.contains("provider returned error access_denied") ?? false)
        }
    }

    func testSignInPageOffersSingleSignOnOnlyWhenConfigured() async throws {
        try await withSingleSignOn { app, _ in
            try await app.test(.GET, "/sign-in") { res async throws in
                XCTAssertTrue(res.text.contains("Sign in with NHS Care Identity Service 2"))
            }
        }
        try await withAssure { app in
            try await app.test(.GET, "/sign-in") { res async throws in XCTAssertFalse(res.text.contains("Sign in with")) }
            try await app.test(.GET, "/sign-in/sso") { res async throws in XCTAssertEqual(res.status, .notFound) }
        }
    }

    func testSettingsAreCheckedAtStartUp() throws {
        XCTAssertThrowsError(try AssureConfiguration.load(environment: ["ASSURE_OIDC_ISSUER": "https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/oidc"])) { error in
            XCTAssertEqual((error as? ConfigurationError)?.setting, "ASSURE_OIDC_CLIENT_ID")
        }
        XCTAssertThrowsError(try AssureConfiguration.load(environment: ["ASSURE_OIDC_ISSUER": "http://idp.example", "ASSURE_OIDC_CLIENT_ID": "a",
                                                                        "ASSURE_OIDC_CLIENT_SECRET": "b"])) { error in
            XCTAssertEqual((error as? ConfigurationError)?.setting, "ASSURE_OIDC_ISSUER", "plain http only on loopback")
        }
        let configured = try AssureConfiguration.load(environment: ["ASSURE_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0/", "ASSURE_OIDC_CLIENT_ID": "a",
                                                                    "ASSURE_OIDC_CLIENT_SECRET": "very-secret", "ASSURE_OIDC_EMAIL_CLAIM": "preferred_username"])
        XCTAssertEqual(configured.singleSignOn?.issuer, "https://login.microsoftonline.com/tenant/v2.0")
        XCTAssertEqual(configured.singleSignOn?.emailClaim, "preferred_username")
        XCTAssertFalse(String(describing: configured.singleSignOn!).contains("very-secret"))
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Every audit entry, oldest first.
func auditEntries(_ app: Application) async throws -> [AuditEntry] {
    try await AuditTrail.page(after: 0, limit: 1_000_000, on: app.db as! any SQLDatabase)
}

/// XCTUnwrap takes an autoclosure, which cannot hold an `await`; this takes the awaited value.
func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
