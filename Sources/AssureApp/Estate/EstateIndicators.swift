import AssureCore
import Foundation
import SQLKit

extension IndicatorSource {
    /// The estate's figures from each organisation's latest analysis (none until it has devices),
    /// and high severity cyber alerts overdue: every alert applies to every organisation, overdue
    /// when not acknowledged or not updated in time (closed alerts are done).
    static let estate = IndicatorSource(indicators: [.patchCompliance, .unsupportedDevices, .knownExploitedDevices, .overdueCyberAlerts]) { measurement in
        let organisations = measurement.organisations, sql = try measurement.database.sqlDatabase
        var values = Dictionary(uniqueKeysWithValues: organisations.map { ($0, IndicatorValues()) })
        for (id, estate) in try await EstateSnapshots.latest(of: organisations, on: sql) where estate.devices > 0 {
            values[id]?[.patchCompliance] = Double(estate.patchCompliancePercent)
            values[id]?[.unsupportedDevices] = Double(estate.unsupportedOS)
            values[id]?[.knownExploitedDevices] = Double(estate.knownExploited)
        }
        for (id, overdue) in try await overdueAlerts(organisations, now: measurement.now, sql) { values[id]?[.overdueCyberAlerts] = Double(overdue) }
        return values
    }

    private static func overdueAlerts(_ organisations: [UUID], now: Date, _ sql: any SQLDatabase) async throws -> [UUID: Int] {
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
