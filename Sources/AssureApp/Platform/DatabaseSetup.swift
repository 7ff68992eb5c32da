import SQLKit
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Vapor

/// Connects Fluent to the configured database and registers every migration, in order.
enum DatabaseSetup {
    static func use(_ location: AssureConfiguration.DatabaseLocation, on app: Application) throws {
        switch location {
        case .sqliteInMemory:
            app.databases.use(.sqlite(.memory), as: .sqlite)
        case .sqliteFile(let path):
            app.databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 1), as: .sqlite)
        case .postgres(let url):
            var postgres = try SQLPostgresConfiguration(url: url)
            postgres.coreConfiguration.options.connectTimeout = .seconds(5)
            app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: 4), as: .psql)
        }
        for migration in AssureMigrations.all {
            app.migrations.add(migration)
        }
    }
}

/// Every schema change Assure has ever made. Append only: a released migration never changes.
public enum AssureMigrations {
    /// Each module's migrations, in module order (`AssureModules.all`). Fluent runs what a
    /// database lacks in this order, so a module's migrations may rely only on earlier modules'.
    public static var all: [any Migration] { AssureModules.migrations }

    /// Read by every schema check (`/readyz` among them), so worked out once rather than by
    /// assembling every module each time.
    public static let names: [String] = all.map(\.name)
}

/// Where the database's schema stands against the migrations this build knows.
public struct SchemaStatus: Equatable, Sendable {
    public let applied: [String]
    public let known: [String]

    public var pending: [String] { known.filter { !applied.contains($0) } }
    /// Migrations recorded in the database that this build does not know: a newer Assure wrote it.
    public var unknown: [String] { applied.filter { !known.contains($0) } }
    public var isCurrent: Bool { pending.isEmpty && unknown.isEmpty }
    public var version: Int { applied.filter { known.contains($0) }.count }

    /// Reads Fluent's migration log; a database with no log has nothing applied.
    public static func read(from database: any Database) async throws -> SchemaStatus {
        let sql = try database.sqlDatabase
        let logExists = try await tableExists("_fluent_migrations", in: sql)
        let applied: [String] = logExists
            ? try await sql.raw("SELECT name FROM _fluent_migrations ORDER BY batch, name").all().map { try $0.decode(column: "name", as: String.self) }
            : []
        return SchemaStatus(applied: applied, known: AssureMigrations.names)
    }

    static func tableExists(_ table: String, in sql: any SQLDatabase) async throws -> Bool {
        let query: SQLQueryString = sql.dialect.name == "sqlite"
            ? "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = \(bind: table)"
            : "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(bind: table)"
        let row = try await sql.raw(query).first()
        return try (row?.decode(column: "n", as: Int.self) ?? 0) > 0
    }
}
