import Fluent
import SQLKit

/// - `kpi_snapshots`: each organisation's key indicators on a day (`figures`: JSON, indicator →
///   figure; an indicator it could not measure is left out), taken daily and on demand.
/// - `kpi_runs`: one row per day the scheduled snapshot ran, so several instances sharing one
///   PostgreSQL take it once.
struct CreateKPISnapshots: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("kpi_snapshots")
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("day", .string, .required)
            .field("figures", .string, .required)
            .field("taken_at", .datetime, .required)
            .unique(on: "organisation_id", "day")
            .create()
        try await database.schema("kpi_runs")
            .field("day", .string, .identifier(auto: false))
            .field("status", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("organisations", .int)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // A day's snapshots across many organisations (oversight tables, population trends).
        try await sql.raw("CREATE INDEX kpi_snapshots_by_day ON kpi_snapshots (day)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("kpi_runs").delete()
        try await database.schema("kpi_snapshots").delete()
    }
}

/// `kpi_populations`: each ICB's, region's and the nation's indicator summary on a day (scope: the
/// ODS code, or `national`), written with the daily snapshot so a population's trend is a few rows.
struct CreateKPIPopulations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("kpi_populations")
            .field("scope", .string, .required)
            .field("day", .string, .required)
            .field("figures", .string, .required)
            .field("taken_at", .datetime, .required)
            .unique(on: "scope", "day")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("kpi_populations").delete()
    }
}
