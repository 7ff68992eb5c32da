import Crypto
import Foundation

/// The rules of OpenID Connect sign-in (NHS Care Identity Service 2, Microsoft Entra ID) that do
/// not depend on HTTP: the PKCE challenge, and which ID tokens are acceptable once their
/// signature has been verified.
public enum SingleSignOn {
    /// RFC 7636 S256: base64url(SHA-256(verifier)), no padding.
    public static func codeChallenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Array(verifier.utf8))))
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// How far a provider's clock may be from ours.
    public static let clockLeeway: TimeInterval = 60
    /// How long someone has to finish signing in at the provider.
    public static let attemptLifetime: TimeInterval = 10 * 60

    /// The claims Assure checks (OpenID Connect Core 1.0, section 3.1.3.7).
    public struct IDTokenClaims: Equatable, Sendable {
        public var issuer: String?
        public var audience: [String]
        public var authorisedParty: String?
        public var expiresAt: Date?
        public var issuedAt: Date?
        public var nonce: String?
        public var subject: String?

        public init(issuer: String?, audience: [String], authorisedParty: String?, expiresAt: Date?, issuedAt: Date?,
                    nonce: String?, subject: String?) {
            self.issuer = issuer
            self.audience = audience
            self.authorisedParty = authorisedParty
            self.expiresAt = expiresAt
            self.issuedAt = issuedAt
            self.nonce = nonce
            self.subject = subject
        }
    }

    public enum Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        case wrongIssuer(String?)
        case wrongAudience
        case expired
        case issuedInFuture
        case wrongNonce
        case noSubject

        public var description: String {
            switch self {
            case .wrongIssuer(let issuer): "the ID token was issued by \(issuer.map { "'\($0)'" } ?? "no one"), not the configured provider"
            case .wrongAudience: "the ID token was not issued to Assure (audience)"
            case .expired: "the ID token has expired"
            case .issuedInFuture: "the ID token is dated in the future"
            case .wrongNonce: "the ID token does not answer this sign-in (nonce)"
            case .noSubject: "the ID token names no subject"
            }
        }
    }

    /// Checks a signature-verified ID token's claims against what this sign-in expects.
    public static func check(_ claims: IDTokenClaims, issuer: String, clientID: String, nonce: String, now: Date) throws(Rejection) {
        guard let tokenIssuer = claims.issuer, trimmedSlash(tokenIssuer) == trimmedSlash(issuer) else { throw .wrongIssuer(claims.issuer) }
        guard claims.audience.contains(clientID) else { throw .wrongAudience }
        // With several audiences, the authorised party must be Assure.
        if claims.audience.count > 1 || claims.authorisedParty != nil, claims.authorisedParty != clientID { throw .wrongAudience }
        guard let expiresAt = claims.expiresAt, expiresAt.addingTimeInterval(clockLeeway) > now else { throw .expired }
        if let issuedAt = claims.issuedAt, issuedAt > now.addingTimeInterval(clockLeeway) { throw .issuedInFuture }
        guard let tokenNonce = claims.nonce, Secret.constantTimeEquals(tokenNonce, nonce) else { throw .wrongNonce }
        guard let subject = claims.subject, !subject.isEmpty else { throw .noSubject }
    }

    private static func trimmedSlash(_ value: String) -> String {
        value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// The provider must be reached over TLS, except on this machine (a test provider).
    public static func isAcceptableIssuer(_ value: String) -> Bool {
        guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
    }
}
