import AssureCore
import Foundation
import SQLKit

extension IndicatorSource {
    /// Risks above appetite (as the register's filter counts them: current score above the
    /// category's appetite), live risks overdue for review, and open actions past their due day.
    static let risk = IndicatorSource(indicators: [.risksAboveAppetite, .overdueRiskReviews, .overdueRiskActions]) { measurement in
        let organisations = measurement.organisations, sql = try measurement.database.sqlDatabase
        var settings = measurement.known.settings ?? [:]
        if measurement.known.settings == nil {
            for row in try await sql.raw("SELECT organisation_id, settings FROM risk_settings WHERE organisation_id IN (\(binds: organisations))").all() {
                settings[try row.decode(column: "organisation_id", as: UUID.self)] =
                    try? JSONDecoder().decode(RiskSettings.self, from: Data(try row.decode(column: "settings", as: String.self).utf8))
            }
        }
        var values = Dictionary(uniqueKeysWithValues: organisations.map { ($0, IndicatorValues([.risksAboveAppetite: 0, .overdueRiskReviews: 0, .overdueRiskActions: 0])) })
        let day = measurement.today.description
        for row in try await sql.raw("""
            SELECT organisation_id, category, current_score, next_review FROM risks
            WHERE \(RiskSQL.isLive("status")) AND organisation_id IN (\(binds: organisations))
            """).all() {
            let id = try row.decode(column: "organisation_id", as: UUID.self)
            let appetite = (settings[id] ?? .standard).appetite
            if let category = RiskCategory(rawValue: try row.decode(column: "category", as: String.self)), let limit = appetite[category],
               try row.decode(column: "current_score", as: Int.self) > limit { values[id]?[.risksAboveAppetite]? += 1 }
            if try row.decode(column: "next_review", as: String.self) < day { values[id]?[.overdueRiskReviews]? += 1 }
        }
        for (id, count) in try await measurement.counts("""
            SELECT r.organisation_id, COUNT(*) AS n FROM risk_actions a JOIN risks r ON r.id = a.risk_id
            WHERE \(RiskSQL.isLive("r.status")) AND \(RiskSQL.isOpen("a.status")) AND a.due < \(bind: day)
              AND r.organisation_id IN (\(binds: organisations)) GROUP BY r.organisation_id
            """) { values[id]?[.overdueRiskActions] = Double(count) }
        return values
    }
}
