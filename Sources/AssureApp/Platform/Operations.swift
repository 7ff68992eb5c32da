import AssureCore
import Fluent
import Metrics
import Prometheus
import SQLKit
import Vapor

/// `/healthz` (the process answers), `/readyz` (the database answers and its schema is current)
/// and `/metrics` (Prometheus text).
struct OperationsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .healthz, .getHealth) { _ in HealthStatus(status: "ok", version: AssureRelease.version) }
        routes.api(.GET, .readyz, .getReadiness, use: ready)
        routes.get(SiteURL.metrics.pathComponents, use: metrics)
    }

    struct HealthStatus: Content {
        var status: String
        var version: String
        var database: String?
        var schemaVersion: Int?
        var pendingMigrations: [String]?

        enum CodingKeys: String, CodingKey {
            case status, version, database
            case schemaVersion = "schema_version", pendingMigrations = "pending_migrations"
        }
    }

    func ready(req: Request) async throws -> Response {
        let started = ContinuousClock.now
        let status: HealthStatus
        let code: HTTPResponseStatus
        do {
            let schema = try await SchemaStatus.read(from: req.db)
            let current = schema.isCurrent
            status = HealthStatus(status: current ? "ready" : "schema behind", version: AssureRelease.version, database: "reachable",
                                  schemaVersion: schema.version, pendingMigrations: schema.pending)
            code = current ? .ok : .serviceUnavailable
            AssureMetrics.databaseUp.record(1)
        } catch {
            req.logger.warning("Readiness check could not reach the database: \(String(reflecting: error))")
            status = HealthStatus(status: "database unreachable", version: AssureRelease.version, database: "unreachable")
            code = .serviceUnavailable
            AssureMetrics.databaseUp.record(0)
        }
        AssureMetrics.databasePing.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return try await status.encodeResponse(status: code, for: req)
    }

    /// Open by default (it holds no organisation's data, only counts by route); with
    /// `ASSURE_METRICS_TOKEN` set, the scraper must send it as a bearer token.
    func metrics(req: Request) async throws -> Response {
        if let expected = req.application.assureConfiguration.metricsToken {
            guard let sent = req.headers.bearerAuthorization?.token, Secret.constantTimeEquals(sent, expected) else {
                throw AssureError(status: .unauthorized, title: "Not signed in",
                                  detail: "Send the metrics token (ASSURE_METRICS_TOKEN) as Authorization: Bearer …")
            }
        }
        var buffer: [UInt8] = []
        AssureMetrics.registry.emit(into: &buffer)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(data: Data(buffer)))
    }
}

/// One Prometheus registry for the process. Vapor reports requests and latency by route through
/// swift-metrics; Assure adds what it knows of its database pool.
enum AssureMetrics {
    static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()

    static func bootstrap() { _ = bootstrapped }

    static let databaseUp = Gauge(label: "assure_database_up")
    static let databasePing = Timer(label: "assure_database_readiness_check_seconds")
    static let poolMaxConnections = Gauge(label: "assure_database_pool_max_connections")
    static let poolEventLoops = Gauge(label: "assure_database_pool_event_loops")
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
