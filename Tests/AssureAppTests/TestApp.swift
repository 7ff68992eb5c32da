import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Runs a test against the real app and a fresh real database: SQLite in memory by default,
/// PostgreSQL when `ASSURE_TEST_DATABASE_URL` is set (its schema is wiped first — use a throwaway database).
func withAssure(
    demo: Bool = false, migrate: Bool = true, _ test: (Application) async throws -> Void
) async throws {
    let app = try await Application.make(.testing)
    do {
        var configuration = AssureConfiguration(database: TestDatabase.location, logLevel: .warning)
        configuration.dataDirectory = NSTemporaryDirectory()
        try await configure(app, configuration)
        try await TestDatabase.reset(app)
        if migrate { try await app.autoMigrate() }
        if demo { _ = try await DemoSeeder.seedRegion(on: app.db) }
        try await test(app)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

enum TestDatabase {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ASSURE_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var location: AssureConfiguration.DatabaseLocation {
        postgresURL.map { .postgres(url: $0) } ?? .sqliteInMemory
    }

    /// PostgreSQL keeps data between tests, so each test starts from an empty schema.
    static func reset(_ app: Application) async throws {
        guard postgresURL != nil, let sql = app.db as? any SQLDatabase else { return }
        try await sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
        try await sql.raw("CREATE SCHEMA public").run()
    }
}

extension XCTHTTPResponse {
    var text: String { body.string }

    func json() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }
}

/// Counts rows directly, to prove what a rejected request did (not) write.
func organisationCount(_ app: Application) async throws -> Int {
    try await Organisation.query(on: app.db).count()
}

func jsonHeaders() -> HTTPHeaders {
    ["Content-Type": "application/json", "Accept": "application/json"]
}
