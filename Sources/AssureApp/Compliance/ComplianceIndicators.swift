import AssureCore
import Foundation
import SQLKit

extension IndicatorSource {
    /// Evidence past its review date, and the latest DSPT and CAF assessment of each organisation
    /// against its targets (items without a target count against the top level).
    static let compliance = IndicatorSource(indicators: [.expiredEvidence, .dsptPosition, .mandatoryNotMet, .cafPosition]) { measurement in
        let organisations = measurement.organisations
        var values = Dictionary(uniqueKeysWithValues: organisations.map { ($0, IndicatorValues()) })
        let expired = try await measurement.counts("""
            SELECT organisation_id, COUNT(*) AS n FROM evidence WHERE review_by IS NOT NULL AND review_by <> '' AND review_by < \(bind: measurement.today.description)
              AND organisation_id IN (\(binds: organisations)) GROUP BY organisation_id
            """)
        for id in organisations { values[id]?[.expiredEvidence] = Double(expired[id] ?? 0) }
        var latest = measurement.known.latest ?? [:]
        if measurement.known.latest == nil {
            latest = try await LatestAssessments.read(of: organisations, frameworks: measurement.frameworks, on: measurement.database)
        }
        func position(_ found: LatestAssessment?) -> (atTarget: Double, mandatoryNotMet: Double)? {
            guard let found, let catalogue = found.catalogue, !catalogue.items.isEmpty, let gaps = found.gaps else { return nil }
            let met = catalogue.items.count - gaps.belowTarget.count
            return (100 * Double(met) / Double(catalogue.items.count), Double(gaps.mandatoryNotMet.count))
        }
        for (id, entry) in latest {
            let dspt = position(entry[.dspt])
            values[id]?[.dsptPosition] = dspt?.atTarget
            values[id]?[.mandatoryNotMet] = dspt?.mandatoryNotMet
            values[id]?[.cafPosition] = position(entry[.caf])?.atTarget
        }
        return values
    }
}
