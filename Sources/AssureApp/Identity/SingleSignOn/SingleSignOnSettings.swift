import AssureCore
import Foundation

/// How Assure talks to an OpenID Connect provider: NHS Care Identity Service 2 or Microsoft Entra
/// ID. Read from the environment only, so the client secret never appears on a command line.
public struct SingleSignOnSettings: Sendable, Equatable, CustomStringConvertible {
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    /// The claim holding the person's email address, matched to an Assure account.
    public var emailClaim: String
    public var scopes: String
    /// Shown on the sign-in button, e.g. "NHS Care Identity Service 2".
    public var providerName: String

    public init(issuer: String, clientID: String, clientSecret: String, emailClaim: String = "email",
                scopes: String = "openid email profile", providerName: String = "single sign-on") {
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.emailClaim = emailClaim
        self.scopes = scopes
        self.providerName = providerName
    }

    /// Never prints the secret.
    public var description: String { "OpenID Connect \(issuer) as \(clientID)" }

    static let variables = ["ASSURE_OIDC_ISSUER", "ASSURE_OIDC_CLIENT_ID", "ASSURE_OIDC_CLIENT_SECRET"]

    /// Nil when no `ASSURE_OIDC_*` setting is given; an error naming the setting when they are incomplete or wrong.
    static func load(environment: [String: String]) throws(ConfigurationError) -> SingleSignOnSettings? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard variables.contains(where: { value($0) != nil }) else { return nil }
        for name in variables where value(name) == nil {
            throw ConfigurationError(setting: name, message: "is needed when single sign-on is configured (\(variables.joined(separator: ", ")))")
        }
        let issuer = value("ASSURE_OIDC_ISSUER")!
        guard SingleSignOn.isAcceptableIssuer(issuer) else {
            throw ConfigurationError(setting: "ASSURE_OIDC_ISSUER", message: "must be the provider's https:// issuer address (http:// only on this machine)")
        }
        let scopes = value("ASSURE_OIDC_SCOPES") ?? "openid email profile"
        guard scopes.split(separator: " ").contains("openid") else {
            throw ConfigurationError(setting: "ASSURE_OIDC_SCOPES", message: "must include openid")
        }
        return SingleSignOnSettings(
            issuer: issuer, clientID: value("ASSURE_OIDC_CLIENT_ID")!, clientSecret: value("ASSURE_OIDC_CLIENT_SECRET")!,
            emailClaim: value("ASSURE_OIDC_EMAIL_CLAIM") ?? "email", scopes: scopes,
            providerName: value("ASSURE_OIDC_PROVIDER_NAME") ?? "single sign-on")
    }
}
