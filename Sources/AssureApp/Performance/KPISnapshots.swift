import AssureCore
import Fluent
import Foundation
import SQLKit

/// Takes the key indicators of many organisations at once: a few grouped queries per thousand
/// organisations (never one query per organisation), then one write of the day's rows.
struct KPISnapshotter {
    let database: any Database
    let frameworks: FrameworkLibrary
    let today: CalendarDay
    let now: Date

    static let chunkSize = 1000

    /// Measures and stores today's figures for these organisations, replacing any taken earlier today.
    @discardableResult
    func snapshot(_ organisations: [UUID], progress: (any JobProgress)? = nil) async throws -> [UUID: IndicatorValues] {
        var all: [UUID: IndicatorValues] = [:]
        for start in stride(from: 0, to: organisations.count, by: Self.chunkSize) {
            progress?.update(start)
            let chunk = Array(organisations[start..<min(start + Self.chunkSize, organisations.count)])
            all.merge(try await measure(chunk), uniquingKeysWith: { $1 })
        }
        progress?.update(organisations.count)
        let rows = organisations.compactMap { id in all[id].map { (id, $0) } }
        let day = today.description, takenAt = now
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            for start in stride(from: 0, to: rows.count, by: 500) {
                let part = rows[start..<min(start + 500, rows.count)]
                try await sql.raw("DELETE FROM kpi_snapshots WHERE day = \(bind: day) AND organisation_id IN (\(binds: part.map(\.0)))").run()
                try await KPIColumns.insert(part.map { ($0.0, day, $0.1, takenAt) }, on: sql)
            }
        }
        return all
    }

    typealias Known = IndicatorSource.Known

    /// Every indicator of up to a thousand organisations, from the live records, as each module measures its own.
    func measure(_ organisations: [UUID], known: Known = Known()) async throws -> [UUID: IndicatorValues] {
        guard !organisations.isEmpty else { return [:] }
        let measurement = IndicatorSource.Measurement(organisations: organisations, database: database, frameworks: frameworks, today: today, now: now, known: known)
        var values = Dictionary(uniqueKeysWithValues: organisations.map { ($0, IndicatorValues()) })
        for source in AssureModules.indicatorSources {
            for (id, measured) in try await source.measure(measurement) where values[id] != nil {
                for indicator in source.indicators { values[id]?[indicator] = measured[indicator] }
            }
        }
        return values
    }
}

/// Reads stored snapshots.
enum KPIHistory {
    struct Point: Sendable {
        var day: String
        var values: IndicatorValues

        /// A row with `day` and `figures` (`KPIColumns.packed`).
        init(row: any SQLRow) throws {
            day = try row.decode(column: "day", as: String.self)
            values = KPIColumns.unpack(try row.decode(column: "figures", as: String?.self))
        }
    }

    /// One organisation's snapshots, oldest first, over the last `days` snapshot days.
    static func trend(of organisation: UUID, days: Int = 90, on sql: any SQLDatabase) async throws -> [Point] {
        try await sql.raw("SELECT s.day, \(unsafeRaw: KPIColumns.packed) AS figures FROM kpi_snapshots s WHERE s.organisation_id = \(bind: organisation) ORDER BY s.day DESC LIMIT \(unsafeRaw: String(days))")
            .all().map(Point.init(row:)).reversed()
    }
}
