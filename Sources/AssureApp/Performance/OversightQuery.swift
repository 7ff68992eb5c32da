import AssureCore
import FluentKit
import Foundation
import SQLKit

/// An organisation in an oversight population, with its latest snapshot (if it has one).
struct OversightMember: Sendable {
    var id: UUID
    var odsCode: String
    var name: String
    var type: OrganisationType
    var parentCode: String?
    var day: String?
    var values: IndicatorValues
}

/// Reads oversight populations: everything below an ICB or region, or the whole country, each
/// organisation with its latest snapshot, in one query (the latest day is an index seek per
/// organisation, never a scan of the history).
enum OversightQuery {
    static let national = "national"

    static func members(below code: String?, on sql: any SQLDatabase) async throws -> [OversightMember] {
        let select: SQLQueryString = """
            SELECT o.id, o.ods_code, o.name, o.type, p.ods_code AS parent_code, s.day, \(unsafeRaw: KPIColumns.packed) AS figures
            """
        let latest: SQLQueryString = """
            LEFT JOIN organisations p ON p.id = o.parent_id
            LEFT JOIN kpi_snapshots s ON s.organisation_id = o.id AND s.day = (SELECT MAX(x.day) FROM kpi_snapshots x WHERE x.organisation_id = o.id)
            """
        let query: SQLQueryString
        if let code {
            query = """
                WITH RECURSIVE below(id, depth) AS (
                    SELECT id, 0 FROM organisations WHERE ods_code = \(bind: code)
                    UNION ALL SELECT o.id, below.depth + 1 FROM organisations o JOIN below ON o.parent_id = below.id WHERE below.depth < 32
                )
                \(select) FROM below JOIN organisations o ON o.id = below.id \(latest) WHERE below.depth > 0 ORDER BY o.name, o.ods_code
                """
        } else {
            query = "\(select) FROM organisations o \(latest) ORDER BY o.name, o.ods_code"
        }
        return try await sql.raw(query).all().map { row in
            OversightMember(
                id: try row.decode(column: "id", as: UUID.self),
                odsCode: try row.decode(column: "ods_code", as: String.self),
                name: try row.decode(column: "name", as: String.self),
                type: try OrganisationType.decode(column: "type", from: row),
                parentCode: try row.decode(column: "parent_code", as: String?.self),
                day: try row.decode(column: "day", as: String?.self),
                values: KPIColumns.unpack(try row.decode(column: "figures", as: String?.self))
            )
        }
    }

    /// A population's stored daily summaries, oldest first.
    static func trend(of scope: String, days: Int = 90, on sql: any SQLDatabase) async throws -> [(day: String, figures: PopulationFigures)] {
        let decoder = JSONDecoder()
        return try await sql.raw("SELECT day, figures FROM kpi_populations WHERE scope = \(bind: scope) ORDER BY day DESC LIMIT \(unsafeRaw: String(days))")
            .all().map { row in
                (try row.decode(column: "day", as: String.self),
                 try decoder.decode(PopulationFigures.self, from: Data(try row.decode(column: "figures", as: String.self).utf8)))
            }.reversed()
    }

    /// Summarises every ICB's, region's and the nation's population from each organisation's
    /// latest snapshot, and stores it as the day's row for each (replacing any taken earlier).
    static func refreshPopulations(day: CalendarDay, now: Date, on database: any Database) async throws {
        let sql = try database.sqlDatabase
        let members = try await members(below: nil, on: sql)
        let parentOf = Dictionary(members.map { ($0.odsCode, $0.parentCode) }, uniquingKeysWith: { first, _ in first })
        var populations: [String: [IndicatorValues]] = [national: []]
        for member in members {
            populations[national, default: []].append(member.values)
            var above = member.parentCode, depth = 0
            while let scope = above, depth < 32 {
                populations[scope, default: []].append(member.values)
                above = parentOf[scope] ?? nil
                depth += 1
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let rows = try populations.map { scope, values in (scope, String(decoding: try encoder.encode(PopulationFigures(values)), as: UTF8.self)) }
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            try await sql.raw("DELETE FROM kpi_populations WHERE day = \(bind: day.description)").run()
            for start in stride(from: 0, to: rows.count, by: 200) {
                let insert = sql.insert(into: "kpi_populations").columns("scope", "day", "figures", "taken_at")
                for (scope, figures) in rows[start..<min(start + 200, rows.count)] {
                    insert.values(SQLBind(scope), SQLBind(day.description), SQLBind(figures), SQLBind(now))
                }
                try await insert.run()
            }
        }
    }
}
