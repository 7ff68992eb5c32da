import AssureCore
import Foundation
import Logging

/// Everything Assure needs to start, read once from flags and the environment and checked
/// before anything else happens, so a bad setting stops start-up with a message naming it.
public struct AssureConfiguration: Sendable, Equatable {
    public enum DatabaseLocation: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteInMemory
        case postgres(url: String)

        public var isPostgres: Bool { if case .postgres = self { true } else { false } }
    }

    public enum LogFormat: String, Sendable, Equatable { case text, json }

    public var dataDirectory: String
    public var database: DatabaseLocation
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Seed the fictional demo region before serving.
    public var demo: Bool
    /// The address people use to reach Assure (e.g. behind a TLS proxy); `https` turns on HSTS and
    /// secure cookies. Defaults to http://host:port.
    public var publicURL: String?
    /// OpenID Connect single sign-on (NHS CIS2, Entra ID), when configured.
    public var singleSignOn: SingleSignOnSettings?
    /// When set, `/metrics` answers only a scraper that sends it as a bearer token.
    public var metricsToken: String?
    /// The largest evidence file accepted (`ASSURE_EVIDENCE_MAX_MB`, default 25 MB).
    public var evidenceMaxBytes: Int = 25 * 1_048_576
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers are believed (`ASSURE_TRUSTED_PROXIES`).
    public var trustedProxies: [IPNetwork] = []

    /// Whether people reach Assure over TLS (directly or through a proxy that terminates it).
    public var isServedOverTLS: Bool { publicURL?.lowercased().hasPrefix("https://") ?? false }

    /// Where people's browsers reach Assure, for links that leave it (the single sign-on return address).
    public var externalURL: String { publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    public init(
        dataDirectory: String = "./data", database: DatabaseLocation = .sqliteInMemory, host: String = "127.0.0.1",
        port: Int = 8080, logLevel: Logger.Level = .info, logFormat: LogFormat = .text, demo: Bool = false, publicURL: String? = nil
    ) {
        self.publicURL = publicURL
        self.dataDirectory = dataDirectory
        self.database = database
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.demo = demo
    }

    public static let sqliteFileName = "assure.sqlite"

    /// Reads `ASSURE_*` and `DATABASE_URL`, then the flags given (by long name: `data-dir`,
    /// `database-url`, `host`, `port`, `log-level`, `log-format`, `public-url`, `demo`), which win.
    public static func load(
        environment: [String: String], flags given: [String: String] = [:]
    ) throws(ConfigurationError) -> AssureConfiguration {
        var flags = given
        func setting(_ flag: String, _ variable: String) -> (name: String, value: String)? {
            if let value = flags.removeValue(forKey: flag) { return ("--\(flag)", value) }
            if let value = environment[variable], !value.isEmpty { return (variable, value) }
            return nil
        }
        var configuration = AssureConfiguration()
        configuration.demo = flags.removeValue(forKey: "demo") != nil
        if let (name, value) = setting("data-dir", "ASSURE_DATA_DIR") {
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError(setting: name, message: "must name a directory")
            }
            configuration.dataDirectory = value
        }
        if let (name, value) = setting("database-url", "DATABASE_URL") {
            configuration.database = .postgres(url: try checkPostgresURL(value, setting: name))
        } else {
            configuration.database = .sqliteFile(path: configuration.dataDirectory + "/" + sqliteFileName)
        }
        if let (name, value) = setting("host", "ASSURE_HOST") {
            guard !value.isEmpty, !value.contains(" ") else { throw ConfigurationError(setting: name, message: "'\(value)' is not a host name or address") }
            configuration.host = value
        }
        if let (name, value) = setting("port", "ASSURE_PORT") {
            guard let port = Int(value), (1...65535).contains(port) else {
                throw ConfigurationError(setting: name, message: "'\(value)' is not a port number from 1 to 65535")
            }
            configuration.port = port
        }
        if let (name, value) = setting("log-level", "ASSURE_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(setting: name, message: "'\(value)' is not one of \(levels)")
            }
            configuration.logLevel = level
        }
        if let (name, value) = setting("public-url", "ASSURE_PUBLIC_URL") {
            guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = url.host, !host.isEmpty else {
                throw ConfigurationError(setting: name, message: "must be an http:// or https:// address, for example https://assure.example.nhs.uk")
            }
            configuration.publicURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        if let (name, value) = setting("log-format", "ASSURE_LOG_FORMAT") {
            guard let format = LogFormat(rawValue: value.lowercased()) else {
                throw ConfigurationError(setting: name, message: "'\(value)' is not one of text, json")
            }
            configuration.logFormat = format
        }
        configuration.singleSignOn = try SingleSignOnSettings.load(environment: environment)
        if let token = environment["ASSURE_METRICS_TOKEN"], !token.isEmpty {
            guard token.count >= 16 else { throw ConfigurationError(setting: "ASSURE_METRICS_TOKEN", message: "must be at least 16 characters") }
            configuration.metricsToken = token
        }
        if let value = environment["ASSURE_EVIDENCE_MAX_MB"], !value.isEmpty {
            guard let megabytes = Int(value), (1...1024).contains(megabytes) else {
                throw ConfigurationError(setting: "ASSURE_EVIDENCE_MAX_MB", message: "'\(value)' is not a whole number of megabytes from 1 to 1024")
            }
            configuration.evidenceMaxBytes = megabytes * 1_048_576
        }
        if let value = environment["ASSURE_TRUSTED_PROXIES"], !value.isEmpty {
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                guard let network = IPNetwork(entry) else {
                    throw ConfigurationError(setting: "ASSURE_TRUSTED_PROXIES", message: "'\(entry)' is not an IP address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32")
                }
                configuration.trustedProxies.append(network)
            }
        }
        return configuration
    }

    private static func checkPostgresURL(_ value: String, setting: String) throws(ConfigurationError) -> String {
        guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(),
              ["postgres", "postgresql"].contains(scheme) else {
            throw ConfigurationError(setting: setting, message: "must be a postgres:// URL, for example postgres://assure:secret@127.0.0.1:5432/assure")
        }
        guard let host = url.host, !host.isEmpty else {
            throw ConfigurationError(setting: setting, message: "must name a host, for example postgres://assure@127.0.0.1/assure")
        }
        guard url.path.count > 1 else {
            throw ConfigurationError(setting: setting, message: "must name a database after the host, for example …@\(host)/assure")
        }
        return value
    }
}

/// A setting that stops start-up. The message always names the setting.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    public let setting: String
    public let message: String
    public var description: String { "Configuration error: \(setting) \(message)" }
}
