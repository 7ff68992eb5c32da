import AssureCore
import Fluent
import Foundation
import SQLKit

/// A module's part of the key indicators: how it measures the indicators it owns for up to a
/// thousand organisations at once, with a few grouped queries (never one per organisation).
/// Performance takes the snapshot, the dashboard and the board pack from every module's sources.
struct IndicatorSource: Sendable {
    /// What a source measures with.
    struct Measurement: Sendable {
        var organisations: [UUID]
        var database: any Database
        var frameworks: FrameworkLibrary
        var today: CalendarDay
        var now: Date
        var known: Known

        /// Counts per organisation from a query that answers `organisation_id` and `n`.
        func counts(_ query: SQLQueryString) async throws -> [UUID: Int] {
            var found: [UUID: Int] = [:]
            for row in try await database.sqlDatabase.raw(query).all() {
                found[try row.decode(column: "organisation_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
            }
            return found
        }
    }

    /// What a caller has already read for these organisations, so it is not read again.
    struct Known: Sendable {
        var latest: [UUID: [ComplianceFamily: LatestAssessment]]?
        var settings: [UUID: RiskSettings]?
    }

    /// The indicators this source owns; only these are taken from what `measure` answers.
    var indicators: [KeyIndicator]
    var measure: @Sendable (Measurement) async throws -> [UUID: IndicatorValues]
}
