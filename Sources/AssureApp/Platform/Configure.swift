import Fluent
import Vapor

/// Wires Assure into a Vapor application. Tests call this with their own configuration and database.
public func configure(_ app: Application, _ configuration: AssureConfiguration) async throws {
    AssureMetrics.bootstrap()
    app.logger.logLevel = configuration.logLevel
    app.http.server.configuration.hostname = configuration.host
    app.http.server.configuration.port = configuration.port
    app.routes.defaultMaxBodySize = "1mb"
    app.storage[AssureConfigurationKey.self] = configuration
    app.dashboardCache = DashboardCache()

    if case .sqliteFile = configuration.database {
        try DataDirectory.prepare(configuration.dataDirectory)
    }
    try DatabaseSetup.use(configuration.database, on: app)
    // Migration detail is for `assure migrate` (which raises it) and for debugging.
    app.fluent.migrationLogLevel = .debug
    AssureMetrics.poolEventLoops.record(app.eventLoopGroup.makeIterator().reduce(0) { count, _ in count + 1 })
    AssureMetrics.poolMaxConnections.record(configuration.database.isPostgres ? 4 : 1)

    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys]
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    ContentConfiguration.global.use(encoder: encoder, for: .json)
    ContentConfiguration.global.use(decoder: decoder, for: .json)

    app.middleware = Middlewares()
    // Outermost, so a request counts from arrival to its last byte (serve waits for them on shutdown).
    app.middleware.use(app.inFlightRequests)
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(RequestIDHeaderMiddleware())
    // Outside the error middleware, so error pages carry the headers too.
    app.middleware.use(SecurityHeadersMiddleware(servedOverTLS: configuration.isServedOverTLS))
    app.middleware.use(AssureErrorMiddleware())
    app.middleware.use(SessionMiddleware())
    app.middleware.use(BearerTokenMiddleware())
    app.middleware.use(CSRFMiddleware())
    if let settings = configuration.singleSignOn {
        app.identityProvider = IdentityProvider(settings: settings, client: app.client)
    }
    try AssureModules.registerRoutes(on: app)
}

/// The site's own routes: the home page and the stylesheet.
struct SiteRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.home.pathComponents) { req in req.redirect(to: SiteURL.organisations.path) }
        routes.get(SiteURL.stylesheet.pathComponents) { _ in AssureStylesheet.response() }
    }
}

struct AssureConfigurationKey: StorageKey {
    typealias Value = AssureConfiguration
}

extension Application {
    /// The configuration Assure was started with.
    public var assureConfiguration: AssureConfiguration {
        storage[AssureConfigurationKey.self] ?? AssureConfiguration()
    }
}

/// Returns every response's request id, so a user reporting a fault can quote it and we can find it in the logs.
struct RequestIDHeaderMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-ID", value: request.id)
        return response
    }
}

enum DataDirectory {
    /// Creates the data directory if needed and checks Assure can write there.
    static func prepare(_ path: String) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(setting: "ASSURE_DATA_DIR", message: "'\(path)' cannot be created: \(error.localizedDescription)")
        }
        guard manager.isWritableFile(atPath: path) else {
            throw ConfigurationError(setting: "ASSURE_DATA_DIR", message: "'\(path)' is not writable")
        }
    }
}
