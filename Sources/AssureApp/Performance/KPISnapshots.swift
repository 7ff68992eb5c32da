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

    /// What a caller has already read for these organisations, so it is not read again.
    struct Known: Sendable {
        var latest: [UUID: [ComplianceFamily: LatestAssessment]]?
        var settings: [UUID: RiskSettings]?
    }

    /// Every indicator of up to a thousand organisations, from the live records.
    func measure(_ organisations: [UUID], known: Known = Known()) async throws -> [UUID: IndicatorValues] {
        guard !organisations.isEmpty else { return [:] }
        let sql = try database.sqlDatabase
        var values = Dictionary(uniqueKeysWithValues: organisations.map { ($0, IndicatorValues()) })
        for (id, figures) in try await riskFigures(organisations, settings: known.settings, sql) {
            values[id]?[.risksAboveAppetite] = Double(figures.aboveAppetite)
            values[id]?[.overdueRiskReviews] = Double(figures.overdueReviews)
            values[id]?[.overdueRiskActions] = Double(figures.overdueActions)
        }
        let expired = try await counts("""
            SELECT organisation_id, COUNT(*) AS n FROM evidence WHERE review_by IS NOT NULL AND review_by <> '' AND review_by < \(bind: today.description)
              AND organisation_id IN (\(binds: organisations)) GROUP BY organisation_id
            """, sql)
        for id in organisations { values[id]?[.expiredEvidence] = Double(expired[id] ?? 0) }
        for (id, position) in try await compliancePositions(organisations, known: known.latest) {
            values[id]?[.dsptPosition] = position.dspt
            values[id]?[.mandatoryNotMet] = position.mandatoryNotMet
            values[id]?[.cafPosition] = position.caf
        }
        for (id, estate) in try await EstateSnapshots.latest(of: organisations, on: sql) where estate.devices > 0 {
            values[id]?[.patchCompliance] = Double(estate.patchCompliancePercent)
            values[id]?[.unsupportedDevices] = Double(estate.unsupportedOS)
            values[id]?[.knownExploitedDevices] = Double(estate.knownExploited)
        }
        for (id, overdue) in try await overdueAlerts(organisations, sql) { values[id]?[.overdueCyberAlerts] = Double(overdue) }
        return values
    }

    private func counts(_ query: SQLQueryString, _ sql: any SQLDatabase) async throws -> [UUID: Int] {
        var found: [UUID: Int] = [:]
        for row in try await sql.raw(query).all() { found[try row.decode(column: "organisation_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        return found
    }

    struct RiskFigures { var aboveAppetite = 0, overdueReviews = 0, overdueActions = 0 }

    /// Above appetite as the register's filter counts it: current score above the category's appetite.
    private func riskFigures(_ organisations: [UUID], settings known: [UUID: RiskSettings]?, _ sql: any SQLDatabase) async throws -> [UUID: RiskFigures] {
        var settings = known ?? [:]
        if known == nil {
            for row in try await sql.raw("SELECT organisation_id, settings FROM risk_settings WHERE organisation_id IN (\(binds: organisations))").all() {
                settings[try row.decode(column: "organisation_id", as: UUID.self)] =
                    try? JSONDecoder().decode(RiskSettings.self, from: Data(try row.decode(column: "settings", as: String.self).utf8))
            }
        }
        var figures = Dictionary(uniqueKeysWithValues: organisations.map { ($0, RiskFigures()) })
        let day = today.description
        for row in try await sql.raw("""
            SELECT organisation_id, category, current_score, next_review FROM risks
            WHERE \(RiskSQL.isLive("status")) AND organisation_id IN (\(binds: organisations))
            """).all() {
            let id = try row.decode(column: "organisation_id", as: UUID.self)
            let appetite = (settings[id] ?? .standard).appetite
            if let category = RiskCategory(rawValue: try row.decode(column: "category", as: String.self)), let limit = appetite[category],
               try row.decode(column: "current_score", as: Int.self) > limit { figures[id]?.aboveAppetite += 1 }
            if try row.decode(column: "next_review", as: String.self) < day { figures[id]?.overdueReviews += 1 }
        }
        for (id, count) in try await counts("""
            SELECT r.organisation_id, COUNT(*) AS n FROM risk_actions a JOIN risks r ON r.id = a.risk_id
            WHERE \(RiskSQL.isLive("r.status")) AND \(RiskSQL.isOpen("a.status")) AND a.due < \(bind: day)
              AND r.organisation_id IN (\(binds: organisations)) GROUP BY r.organisation_id
            """, sql) { figures[id]?.overdueActions = count }
        return figures
    }

    struct Position { var dspt: Double?; var mandatoryNotMet: Double?; var caf: Double? }

    /// The latest DSPT and CAF assessment of each organisation against its targets (items
    /// without a target count against the top level).
    private func compliancePositions(_ organisations: [UUID], known: [UUID: [ComplianceFamily: LatestAssessment]]?) async throws -> [UUID: Position] {
        var latest = known ?? [:]
        if known == nil { latest = try await LatestAssessments.read(of: organisations, frameworks: frameworks, on: database) }
        func position(_ found: LatestAssessment?) -> (atTarget: Double, mandatoryNotMet: Double)? {
            guard let found, let catalogue = found.catalogue, !catalogue.items.isEmpty, let gaps = found.gaps else { return nil }
            let met = catalogue.items.count - gaps.belowTarget.count
            return (100 * Double(met) / Double(catalogue.items.count), Double(gaps.mandatoryNotMet.count))
        }
        return latest.mapValues { entry in
            let dspt = position(entry[.dspt])
            return Position(dspt: dspt?.atTarget, mandatoryNotMet: dspt?.mandatoryNotMet, caf: position(entry[.caf])?.atTarget)
        }
    }

    /// Every alert applies to every organisation: overdue when not acknowledged within 48 hours
    /// or not updated within 3 days (closed alerts are done).
    private func overdueAlerts(_ organisations: [UUID], _ sql: any SQLDatabase) async throws -> [UUID: Int] {
        let alerts = try await sql.raw("SELECT id, issued_at FROM cyber_alerts").all().map {
            (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "issued_at", as: Date.self))
        }
        var responses: [UUID: [UUID: (status: CyberAlertStatus, acknowledged: Date?, updated: Date?)]] = [:]
        if !alerts.isEmpty {
            for row in try await sql.raw("""
                SELECT alert_id, organisation_id, status, acknowledged_at, updated_at FROM cyber_alert_responses WHERE organisation_id IN (\(binds: organisations))
                """).all() {
                responses[try row.decode(column: "organisation_id", as: UUID.self), default: [:]][try row.decode(column: "alert_id", as: UUID.self)] =
                    (CyberAlertStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .notStarted,
                     try row.decode(column: "acknowledged_at", as: Date?.self), try row.decode(column: "updated_at", as: Date?.self))
            }
        }
        var overdue: [UUID: Int] = [:]
        for id in organisations {
            overdue[id] = alerts.filter { alert, issued in
                let response = responses[id]?[alert]
                let standing = CyberAlertRules.standing(issued: issued, acknowledged: response?.acknowledged, updated: response?.updated,
                                                        status: response?.status ?? .notStarted, now: now)
                return standing.acknowledgementOverdue || standing.updateOverdue
            }.count
        }
        return overdue
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
