import AssureCore
import Fluent
import Foundation
import JWT
import Vapor

/// OpenID Connect sign-in with the authorisation-code flow, PKCE (S256), state and nonce.
/// `/sign-in/sso` sends the browser to the provider; `/sign-in/sso/callback` takes the code back,
/// exchanges it, verifies the ID token against the provider's keys and claims, and signs the
/// matching Assure account in. Accounts are created by administrators: single sign-on proves
/// who someone is, Assure's roles say what they may do.
enum SingleSignOnRoutes {
    /// Holds the attempt's secret, tying the returning browser to the one that started (login CSRF).
    /// `Lax`, because the provider sends the browser back with a cross-site navigation that a
    /// `Strict` cookie would not survive.
    static let stateCookie = "assure_sso_state"

    static func register(on routes: any RoutesBuilder) {
        routes.get(SiteURL.singleSignOn.pathComponents, use: start)
        routes.get(SiteURL.singleSignOnCallback.pathComponents, use: callback)
    }

    static func start(req: Request) async throws -> Response {
        guard let provider = req.application.identityProvider else { throw notConfigured }
        let next = SignInPage.safeNext(req.query[String.self, at: "next"])
        let discovery: IdentityProvider.Discovery
        do { discovery = try await provider.configuration() } catch let failure as IdentityProvider.Failure {
            req.logger.warning("Single sign-on is unavailable: \(failure.description)")
            return SignInPage.render(req, email: "", next: next, error: "Single sign-on is not available just now. Try again later or sign in with a password.",
                                     status: .serviceUnavailable)
        }
        let secret = Secret.generate()
        let derived = SingleSignOnAttempt.Secrets(secret)
        let now = req.application.clock.now()
        try await req.db.writeTransaction { db in
            // Abandoned attempts are removed as new ones start, so the table stays small.
            try await SingleSignOnAttempt.query(on: db).filter(\.$startedAt < now.addingTimeInterval(-SingleSignOn.attemptLifetime)).delete()
            try await SingleSignOnAttempt(stateDigest: Secret.digest(derived.state), next: next, startedAt: now).create(on: db)
        }
        let settings = provider.settings
        var url = URLComponents(string: discovery.authorization_endpoint) ?? URLComponents()
        url.queryItems = (url.queryItems ?? []) + [
            .init(name: "response_type", value: "code"), .init(name: "client_id", value: settings.clientID),
            .init(name: "redirect_uri", value: redirectURI(req)), .init(name: "scope", value: settings.scopes),
            .init(name: "state", value: derived.state), .init(name: "nonce", value: derived.nonce),
            .init(name: "code_challenge", value: SingleSignOn.codeChallenge(for: derived.verifier)), .init(name: "code_challenge_method", value: "S256"),
        ]
        let response = req.redirect(to: url.string ?? discovery.authorization_endpoint, redirectType: .normal)
        response.cookies[stateCookie] = HTTPCookies.Value(
            string: secret, maxAge: Int(SingleSignOn.attemptLifetime), path: SiteURL.singleSignOn.path,
            isSecure: req.application.assureConfiguration.isServedOverTLS, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    struct Failure: Error {
        var message: String
        var reason: String
        var email: String = ""
    }

    static func callback(req: Request) async throws -> Response {
        guard let provider = req.application.identityProvider else { throw notConfigured }
        do {
            let (user, next) = try await signedInUser(req, provider: provider)
            let response = try await SignInPage.startSession(for: user, req: req, next: next, method: "single sign-on")
            response.cookies[stateCookie] = HTTPCookies.Value(string: "", maxAge: 0, path: SiteURL.singleSignOn.path, isHTTPOnly: true, sameSite: .lax)
            return response
        } catch let failure as Failure {
            try await req.db.writeTransaction { db in
                try await AuditTrail.append([SignInPage.signInEvent("sign-in-failed", email: failure.email, req: req,
                                                                    method: "single sign-on", reason: failure.reason)], on: db)
            }
            req.logger.notice("Single sign-on refused: \(failure.reason)")
            let response = SignInPage.render(req, email: "", next: SiteURL.organisations.path, error: failure.message, status: .unauthorized)
            response.cookies[stateCookie] = HTTPCookies.Value(string: "", maxAge: 0, path: SiteURL.singleSignOn.path, isHTTPOnly: true, sameSite: .lax)
            return response
        }
    }

    /// Every check, in order; the first that fails says why (the reason goes to the audit trail,
    /// the person sees a plain message).
    private static func signedInUser(_ req: Request, provider: IdentityProvider) async throws -> (User, String) {
        let settings = provider.settings
        let state = req.query[String.self, at: "state"] ?? ""
        let again = "Single sign-on did not complete. Start again from the sign-in page."
        guard !state.isEmpty, let cookie = req.cookies[stateCookie]?.string, !cookie.isEmpty,
              Secret.constantTimeEquals(SingleSignOnAttempt.Secrets(cookie).state, state) else {
            throw Failure(message: again, reason: "state does not match this browser's sign-in")
        }
        let derived = SingleSignOnAttempt.Secrets(cookie)
        let attempt = try await req.db.writeTransaction { db -> SingleSignOnAttempt? in
            let found = try await SingleSignOnAttempt.query(on: db).filter(\.$stateDigest == Secret.digest(state)).first()
            try await found?.delete(on: db)  // single use
            return found
        }
        let now = req.application.clock.now()
        guard let attempt, now.timeIntervalSince(attempt.startedAt) < SingleSignOn.attemptLifetime else {
            throw Failure(message: again, reason: "sign-in attempt unknown or older than 10 minutes")
        }
        if let error = req.query[String.self, at: "error"] {
            throw Failure(message: "\(settings.providerName.capitalisedFirst) did not sign you in (\(error.prefix(100))).",
                          reason: "provider returned error \(error.prefix(100))")
        }
        guard let code = req.query[String.self, at: "code"], !code.isEmpty else {
            throw Failure(message: again, reason: "provider returned no code")
        }
        let payload: IDTokenPayload
        do {
            let idToken = try await provider.exchange(code: code, verifier: derived.verifier, redirectURI: redirectURI(req))
            payload = try await verifiedPayload(idToken, provider: provider)
            try SingleSignOn.check(payload.claims, issuer: settings.issuer, clientID: settings.clientID, nonce: derived.nonce, now: now)
        } catch let failure as IdentityProvider.Failure {
            throw Failure(message: again, reason: failure.description)
        } catch let rejection as SingleSignOn.Rejection {
            throw Failure(message: again, reason: rejection.description)
        }
        return (try await account(for: payload, settings: settings, req: req), attempt.next)
    }

    /// Verifies the signature with the provider's published keys; a token naming a key the provider
    /// does not publish (even after fetching its keys again) is refused.
    private static func verifiedPayload(_ token: String, provider: IdentityProvider) async throws -> IDTokenPayload {
        let (keys, published) = try await provider.signingKeys(for: keyID(of: token))
        guard published else { throw IdentityProvider.Failure(description: "the ID token is signed with a key the provider does not publish") }
        do {
            return try await keys.verify(token, as: IDTokenPayload.self)
        } catch {
            throw IdentityProvider.Failure(description: "the ID token's signature is not valid for the provider's keys")
        }
    }

    /// The `kid` in a JWT's header, read before verification only to choose the key.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["kid"] as? String
    }

    /// The Assure account for this identity: the one already linked to its subject, or else the
    /// active account with its email address, which is then linked.
    private static func account(for payload: IDTokenPayload, settings: SingleSignOnSettings, req: Request) async throws -> User {
        let subject = payload.claims.subject ?? ""
        let rawEmail = payload.string(settings.emailClaim) ?? ""
        let email = (try? EmailAddress(rawEmail))?.value ?? ""
        let noAccount = Failure(message: "You signed in with \(settings.providerName), but Assure has no active account for you. Ask your Assure administrator to add you.",
                                reason: "no active account for \(email.isEmpty ? "subject \(subject.prefix(100))" : email)", email: email)
        let audit = req.auditContext
        return try await req.db.writeTransaction { db in
            if let linked = try await User.query(on: db).filter(\.$ssoSubject == subject).first() {
                guard linked.status == .active else { throw noAccount }
                return linked
            }
            guard !email.isEmpty, let user = try await User.query(on: db).filter(\.$email == email).first(), user.status == .active else {
                throw noAccount
            }
            guard user.ssoSubject == nil else {
                throw Failure(message: noAccount.message, reason: "\(email) is linked to a different single sign-on identity", email: email)
            }
            user.ssoSubject = subject
            try await user.update(on: db)
            try await AuditTrail.append([audit.acting(as: email).event("link-single-sign-on", "user", email, organisation: nil,
                                                                       changes: ["single_sign_on": .init(before: nil, after: "linked")])], on: db)
            return user
        }
    }

    static func redirectURI(_ req: Request) -> String {
        req.application.assureConfiguration.externalURL + SiteURL.singleSignOnCallback.path
    }

    static var notConfigured: AssureError {
        AssureError.notFound("Single sign-on is not configured for this Assure. Sign in with your Assure password.")
    }
}

/// An ID token's claims as sent; checked by `SingleSignOn.check` with Assure's clock, so the
/// signature check here does nothing else.
struct IDTokenPayload: JWTPayload {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private var strings: [String: String] = [:]
    private var audiences: [String] = []
    private var numbers: [String: Double] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if let text = try? container.decode(String.self, forKey: key) { strings[key.stringValue] = text }
            else if let number = try? container.decode(Double.self, forKey: key) { numbers[key.stringValue] = number }
            else if key.stringValue == "aud", let list = try? container.decode([String].self, forKey: key) { audiences = list }
        }
        if let single = strings["aud"] { audiences = [single] }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in strings { try container.encode(value, forKey: Key(stringValue: key)) }
        for (key, value) in numbers { try container.encode(value, forKey: Key(stringValue: key)) }
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    func string(_ claim: String) -> String? { strings[claim] }

    var claims: SingleSignOn.IDTokenClaims {
        SingleSignOn.IDTokenClaims(
            issuer: strings["iss"], audience: audiences, authorisedParty: strings["azp"],
            expiresAt: numbers["exp"].map { Date(timeIntervalSince1970: $0) }, issuedAt: numbers["iat"].map { Date(timeIntervalSince1970: $0) },
            nonce: strings["nonce"], subject: strings["sub"])
    }
}
