import AssureCore
import CryptoExtras
import Foundation
import JWT
import JWTKit
import NIOConcurrencyHelpers
import Vapor
@testable import AssureApp

/// A small but real OpenID Connect provider on loopback, standing in for NHS CIS2 or Entra ID:
/// discovery, JWKS, an authorisation endpoint that signs the configured person straight in,
/// and a token endpoint that checks the client secret, redirect address and PKCE verifier and
/// returns an RS256 ID token. `behaviour` makes it misbehave in the ways the tests need.
final class OIDCTestProvider: @unchecked Sendable {
    struct Behaviour {
        var subject = "cis2-uid-555000111222"
        var email = "sso.person@avalon.example"
        var name = "Sam Single-Sign-On"
        var issuer: String?             // nil: the provider's own
        var audience: String?           // nil: the client id
        var nonce: String?              // nil: the one Assure sent
        var expiresIn: TimeInterval = 300
        var signWithStrangerKey = false // right key id, wrong key: signature fails
        var unknownKeyID = false        // signed with a key the provider never published
    }

    static let clientID = "assure-test-client"
    static let clientSecret = "provider-client-secret-\(UUID().uuidString)"

    let app: Application
    private let issuerBox = NIOLockedValueBox("")
    var issuer: String { issuerBox.withLockedValue { $0 } }
    private var key: JWTKit.Insecure.RSA.PrivateKey { state.withLockedValue { $0.key } }
    private var keyID: String { state.withLockedValue { $0.keyID } }
    private let stranger: JWTKit.Insecure.RSA.PrivateKey
    private let state: NIOLockedValueBox<(behaviour: Behaviour, codes: [String: Grant], tokenRequests: Int, jwksRequests: Int,
                                          key: JWTKit.Insecure.RSA.PrivateKey, keyID: String)>

    struct Grant {
        var nonce: String
        var challenge: String
        var redirectURI: String
    }

    var behaviour: Behaviour {
        get { state.withLockedValue { $0.behaviour } }
        set { state.withLockedValue { $0.behaviour = newValue } }
    }

    var tokenRequests: Int { state.withLockedValue { $0.tokenRequests } }
    var jwksRequests: Int { state.withLockedValue { $0.jwksRequests } }

    private init(app: Application) throws {
        self.app = app
        state = NIOLockedValueBox((Behaviour(), [:], 0, 0, try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048)), "provider-key-1"))
        stranger = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    static func start() async throws -> OIDCTestProvider {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        // The test acts as the browser with this client, so it must see the provider's redirects.
        app.http.client.configuration.redirectConfiguration = .disallow
        let provider = try OIDCTestProvider(app: app)
        provider.routes()  // before starting: Vapor fixes its routes when the server starts
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError, reason: "provider has no port") }
        provider.issuerBox.withLockedValue { $0 = "http://127.0.0.1:\(port)" }
        return provider
    }

    private let stopped = NIOLockedValueBox(false)

    func stop() async {
        guard !stopped.withLockedValue({ let was = $0; $0 = true; return was }) else { return }
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }

    var settings: SingleSignOnSettings {
        SingleSignOnSettings(issuer: issuer, clientID: Self.clientID, clientSecret: Self.clientSecret, providerName: "NHS Care Identity Service 2")
    }

    private func routes() {
        app.get(".well-known", "openid-configuration") { [self] _ in
            let issuer = self.issuer
            return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: """
                {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/authorize","token_endpoint":"\(issuer)/token",
                 "jwks_uri":"\(issuer)/jwks","response_types_supported":["code"],"subject_types_supported":["public"],
                 "id_token_signing_alg_values_supported":["RS256"],"token_endpoint_auth_methods_supported":["client_secret_basic"],
                 "code_challenge_methods_supported":["S256"]}
                """))
        }
        app.get("jwks") { [self] _ in
            state.withLockedValue { $0.jwksRequests += 1 }
            let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
            let jwk = JWK.rsa(.rs256, identifier: JWKIdentifier(string: keyID), modulus: SingleSignOn.base64URL(modulus), exponent: SingleSignOn.base64URL(exponent))
            let body = try JSONEncoder().encode(JWKS(keys: [jwk]))
            return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: body))
        }
        app.get("authorize") { [self] req -> Response in
            let query = try req.query.decode([String: String].self)
            guard query["response_type"] == "code", query["client_id"] == Self.clientID, query["code_challenge_method"] == "S256",
                  let challenge = query["code_challenge"], let redirect = query["redirect_uri"], let nonce = query["nonce"], let state = query["state"],
                  query["scope"]?.split(separator: " ").contains("openid") == true else {
                throw Abort(.badRequest, reason: "bad authorisation request")
            }
            let code = Secret.generate()
            self.state.withLockedValue { $0.codes[code] = Grant(nonce: nonce, challenge: challenge, redirectURI: redirect) }
            var back = URLComponents(string: redirect)!
            back.queryItems = [.init(name: "code", value: code), .init(name: "state", value: state)]
            return req.redirect(to: back.string!, redirectType: .normal)
        }
        app.post("token") { [self] req -> Response in
            state.withLockedValue { $0.tokenRequests += 1 }
            struct Form: Content { var grant_type: String?; var code: String?; var redirect_uri: String?; var code_verifier: String? }
            let form = try req.content.decode(Form.self)
            guard let basic = req.headers.basicAuthorization, basic.username == Self.clientID, basic.password == Self.clientSecret else {
                return refusal("invalid_client", status: .unauthorized)
            }
            guard form.grant_type == "authorization_code", let code = form.code,
                  let grant = state.withLockedValue({ $0.codes.removeValue(forKey: code) }) else { return refusal("invalid_grant") }
            guard form.redirect_uri == grant.redirectURI, let verifier = form.code_verifier,
                  SingleSignOn.codeChallenge(for: verifier) == grant.challenge else { return refusal("invalid_grant") }
            let idToken = try await self.idToken(nonce: grant.nonce)
            return Response(status: .ok, headers: ["Content-Type": "application/json"],
                            body: .init(string: #"{"access_token":"opaque","token_type":"Bearer","expires_in":300,"id_token":"\#(idToken)"}"#))
        }
    }

    /// Replaces the signing key with a new one under a new key id, as providers do from time to time.
    func rotateKey() throws {
        let fresh = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        state.withLockedValue { $0.key = fresh; $0.keyID = "provider-key-\(UUID().uuidString.prefix(8))" }
    }

    private func refusal(_ error: String, status: HTTPResponseStatus = .badRequest) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: .init(string: #"{"error":"\#(error)"}"#))
    }

    struct Claims: JWTPayload {
        var iss: String
        var sub: String
        var aud: String
        var exp: Int
        var iat: Int
        var nonce: String
        var email: String
        var name: String
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func idToken(nonce: String, now: Date = Date()) async throws -> String {
        let behaviour = self.behaviour
        let claims = Claims(iss: behaviour.issuer ?? issuer, sub: behaviour.subject, aud: behaviour.audience ?? Self.clientID,
                            exp: Int(now.addingTimeInterval(behaviour.expiresIn).timeIntervalSince1970), iat: Int(now.timeIntervalSince1970),
                            nonce: behaviour.nonce ?? nonce, email: behaviour.email, name: behaviour.name)
        let signingKey = behaviour.signWithStrangerKey || behaviour.unknownKeyID ? stranger : key
        let kid = JWKIdentifier(string: behaviour.unknownKeyID ? "never-published" : keyID)
        let keys = await JWTKeyCollection().add(rsa: signingKey, digestAlgorithm: .sha256, kid: kid)
        return try await keys.sign(claims, kid: kid)
    }
}
