import AssureCore
import Fluent
import Foundation
import SQLKit

/// - `kpi_snapshots`: each organisation's key indicators on a day, taken daily and on demand
///   (first as a JSON object; `KPISnapshotsInColumns` gives each indicator a column).
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
        let sql = try database.sqlDatabase
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

/// One column per indicator instead of a JSON object: reading every organisation's latest figures
/// for a national roll-up was mostly JSON decoding (6,569 objects). Snapshots already taken are
/// carried over; an indicator a later version adds is a new nullable column.
struct KPISnapshotsInColumns: AsyncMigration {
    /// The indicators as they stood when this migration landed. Frozen: a migration never reads a
    /// live enum, so a later indicator (added by its own migration) cannot change what this one did.
    static let indicatorsAtLanding = ["risks-above-appetite", "overdue-risk-reviews", "overdue-risk-actions", "dspt-position", "dspt-mandatory-not-met",
                                      "caf-position", "expired-evidence", "patch-compliance", "unsupported-devices", "kev-exposed-devices",
                                      "overdue-cyber-alerts"]

    static func column(_ indicator: String) -> String { indicator.replacingOccurrences(of: "-", with: "_") }

    func prepare(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        let old = try await sql.raw("SELECT organisation_id, day, figures, taken_at FROM kpi_snapshots").all().map { row in
            (try row.decode(column: "organisation_id", as: UUID.self), try row.decode(column: "day", as: String.self),
             try JSONDecoder().decode(IndicatorValues.self, from: Data(try row.decode(column: "figures", as: String.self).utf8)),
             try row.decode(column: "taken_at", as: Date.self))
        }
        try await database.schema("kpi_snapshots").delete()
        var schema = database.schema("kpi_snapshots")
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("day", .string, .required)
            .field("taken_at", .datetime, .required)
        for indicator in Self.indicatorsAtLanding { schema = schema.field(.string(Self.column(indicator)), .double) }
        try await schema.unique(on: "organisation_id", "day").create()
        try await sql.raw("CREATE INDEX kpi_snapshots_by_day ON kpi_snapshots (day)").run()
        for chunk in old.chunks(of: 500) {
            let insert = sql.insert(into: "kpi_snapshots").columns(["organisation_id", "day", "taken_at"] + Self.indicatorsAtLanding.map(Self.column))
            for (id, day, values, takenAt) in chunk {
                // The snapshots' JSON named each figure by the indicator's identifier.
                insert.values([SQLBind(id), SQLBind(day), SQLBind(takenAt)] + Self.indicatorsAtLanding.map { SQLBind(KeyIndicator(rawValue: $0).flatMap { values[$0] }) })
            }
            try await insert.run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("kpi_snapshots").delete()
    }
}

/// How indicators sit in `kpi_snapshots`: a nullable number column each (null: not measured).
enum KPIColumns {
    static func name(_ indicator: KeyIndicator) -> String { names[indicator.slot] }

    private static let names = KeyIndicator.allCases.map { $0.rawValue.replacingOccurrences(of: "-", with: "_") }

    /// Every figure of `s` in one text column, `3,,45.5,…` (empty: not measured), in `allCases`
    /// order. Reading 6,569 organisations' figures one typed column at a time spent most of a
    /// national roll-up in the drivers' per-value decoding; one string each is a twelfth of that.
    static let packed = KeyIndicator.allCases.map { "COALESCE(CAST(s.\(name($0)) AS TEXT), '')" }.joined(separator: " || ',' || ")

    static func unpack(_ text: String?) -> IndicatorValues {
        var values = IndicatorValues()
        guard let text else { return values }
        for (indicator, field) in zip(KeyIndicator.allCases, text.split(separator: ",", omittingEmptySubsequences: false)) where !field.isEmpty {
            values[indicator] = Double(field)
        }
        return values
    }

    static func insert(_ rows: [(UUID, String, IndicatorValues, Date)], on sql: any SQLDatabase) async throws {
        let columns = ["organisation_id", "day", "taken_at"] + KeyIndicator.allCases.map(name)
        for start in stride(from: 0, to: rows.count, by: 500) {
            let insert = sql.insert(into: "kpi_snapshots").columns(columns)
            for (id, day, values, takenAt) in rows[start..<min(start + 500, rows.count)] {
                insert.values([SQLBind(id), SQLBind(day), SQLBind(takenAt)] + KeyIndicator.allCases.map { SQLBind(values[$0]) })
            }
            try await insert.run()
        }
    }
}
