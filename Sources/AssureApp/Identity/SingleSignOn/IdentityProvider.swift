import AssureCore
import Foundation
import JWT
import Vapor

/// The OpenID Connect provider as Assure sees it: its discovery document and signing keys,
/// fetched over HTTP and cached. Keys are fetched again when a token names a key we do not
/// have (the provider rotated them), at most once a minute.
actor IdentityProvider {
    struct Discovery: Content {
        var issuer: String
        var authorization_endpoint: String
        var token_endpoint: String
        var jwks_uri: String
        var token_endpoint_auth_methods_supported: [String]?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let settings: SingleSignOnSettings
    private let client: any Client
    private var discovery: Discovery?
    private var keys: JWTKeyCollection?
    /// When the keys were last fetched, on the monotonic clock (an interval, not a time of day).
    private var keysFetchedAt: ContinuousClock.Instant?
    private var knownKeyIDs: Set<String> = []

    /// How soon an unknown key id may make Assure fetch the keys again.
    private let refetchInterval: TimeInterval

    init(settings: SingleSignOnSettings, client: any Client, refetchInterval: TimeInterval = 10) {
        self.settings = settings
        self.client = client
        self.refetchInterval = refetchInterval
    }

    func configuration() async throws -> Discovery {
        if let discovery { return discovery }
        let url = settings.issuer + "/.well-known/openid-configuration"
        let response = try await fetch(URI(string: url), what: "discovery document")
        let found: Discovery
        do { found = try response.content.decode(Discovery.self) } catch {
            throw Failure(description: "the provider's discovery document at \(url) is not valid OpenID Connect configuration")
        }
        // A discovery document for another issuer would let that issuer's tokens in.
        guard found.issuer.trimmingSuffix("/") == settings.issuer.trimmingSuffix("/") else {
            throw Failure(description: "the discovery document names issuer '\(found.issuer)', not '\(settings.issuer)'")
        }
        discovery = found
        return found
    }

    /// The signing keys, fetched again when a token names a key id we have not seen (the provider
    /// rotated its keys), at most every `refetchInterval` seconds.
    func signingKeys(for keyID: String?) async throws -> (keys: JWTKeyCollection, published: Bool) {
        let stale = keysFetchedAt.map { ContinuousClock.now - $0 >= .seconds(refetchInterval) } ?? true
        if keys == nil || (keyID.map { !knownKeyIDs.contains($0) } ?? false && stale) {
            try await fetchKeys()
        }
        guard let keys else { throw Failure(description: "the provider returned no signing keys") }
        return (keys, keyID.map { knownKeyIDs.contains($0) } ?? true)
    }

    private func fetchKeys() async throws {
        let response = try await fetch(URI(string: try await configuration().jwks_uri), what: "signing keys (JWKS)")
        guard let body = response.body, let json = body.getString(at: body.readerIndex, length: body.readableBytes) else {
            throw Failure(description: "the provider returned no signing keys")
        }
        let collection = JWTKeyCollection()
        let set: JWKS
        do {
            set = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
            try await collection.add(jwks: set)
        } catch {
            throw Failure(description: "the provider's signing keys could not be read")
        }
        keys = collection
        knownKeyIDs = Set(set.keys.compactMap { $0.keyIdentifier?.string })
        keysFetchedAt = ContinuousClock.now
    }

    /// Exchanges the authorisation code (with the PKCE verifier) for tokens and returns the ID token.
    func exchange(code: String, verifier: String, redirectURI: String) async throws -> String {
        let discovery = try await configuration()
        let methods = discovery.token_endpoint_auth_methods_supported ?? ["client_secret_basic"]
        let useBasic = methods.contains("client_secret_basic") || !methods.contains("client_secret_post")
        struct Grant: Content {
            var grant_type = "authorization_code"
            var code: String
            var redirect_uri: String
            var code_verifier: String
            var client_id: String
            var client_secret: String?
        }
        struct Tokens: Content { var id_token: String? }
        var request = ClientRequest(method: .POST, url: URI(string: discovery.token_endpoint), headers: ["Accept": "application/json"])
        try request.content.encode(Grant(code: code, redirect_uri: redirectURI, code_verifier: verifier, client_id: settings.clientID,
                                         client_secret: useBasic ? nil : settings.clientSecret), as: .urlEncodedForm)
        if useBasic {
            request.headers.basicAuthorization = BasicAuthorization(username: formEncoded(settings.clientID), password: formEncoded(settings.clientSecret))
        }
        let response: ClientResponse
        do { response = try await client.send(request) } catch {
            throw Failure(description: "the provider's token endpoint could not be reached")
        }
        guard response.status == .ok else {
            struct TokenError: Content { var error: String?; var error_description: String? }
            let detail = (try? response.content.decode(TokenError.self)).flatMap { $0.error } ?? "HTTP \(response.status.code)"
            throw Failure(description: "the provider refused the sign-in code (\(detail))")
        }
        guard let idToken = try? response.content.decode(Tokens.self).id_token, !idToken.isEmpty else {
            throw Failure(description: "the provider returned no ID token")
        }
        return idToken
    }

    private func fetch(_ url: URI, what: String) async throws -> ClientResponse {
        let response: ClientResponse
        do { response = try await client.get(url, headers: ["Accept": "application/json"]) } catch {
            throw Failure(description: "the provider's \(what) could not be fetched from \(url)")
        }
        guard response.status == .ok else {
            throw Failure(description: "the provider's \(what) at \(url) answered HTTP \(response.status.code)")
        }
        return response
    }

    /// RFC 6749 section 2.3.1: client credentials are form-encoded before Basic encoding.
    private nonisolated func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}

struct IdentityProviderKey: StorageKey { typealias Value = IdentityProvider }

extension Application {
    /// The configured single sign-on provider, or nil when Assure uses local accounts only.
    var identityProvider: IdentityProvider? {
        get { storage[IdentityProviderKey.self] }
        set { storage[IdentityProviderKey.self] = newValue }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
