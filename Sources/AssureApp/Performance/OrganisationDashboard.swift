import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// What an organisation's board sees on one page, read from the live records: today's key
/// indicators with their trend, the top risks, the heat map, compliance gaps, estate exposure and
/// what falls due in the next 30 days.
struct OrganisationDashboard {
    /// The latest DSPT or CAF assessment and what in it falls short.
    struct Gaps {
        var assessment: Assessment
        var catalogue: FrameworkCatalogue
        var belowTarget: [FrameworkCatalogue.Item]
        var mandatoryNotMet: [FrameworkCatalogue.Item]
    }

    /// Something with a date in the next 30 days: a risk review, an action, evidence to re-approve, a submission.
    struct Due {
        var day: String
        var kind: String
        var title: String
        var url: SiteURL
    }

    static let lookAheadDays = 30
    static let trendDays = 30

    var today: CalendarDay
    var indicators: IndicatorValues
    var trend: [KPIHistory.Point]
    var riskTotal: Int
    var topRisks: [RiskRow]
    var heatMap: RiskHeatMap
    var gaps: [Gaps]
    var estate: (day: String, figures: EstateRollUp)?
    var due: [Due]

    static func load(_ context: OrganisationContext, settings: RiskSettings, matrix: RiskMatrix, frameworks: FrameworkLibrary) async throws -> OrganisationDashboard {
        let database = context.database, now = context.clock.now()
        let sql = try database.sqlDatabase
        let id = context.organisation.id, today = context.today, code = context.organisation.odsCode
        // The latest DSPT and CAF are read once, for the gaps and for the indicators.
        let latest = try await LatestAssessments.read(of: [id], frameworks: frameworks, on: database)
        let known = KPISnapshotter.Known(latest: latest, settings: [id: settings])
        // The sections are independent reads: on PostgreSQL each goes out on its own pooled connection.
        async let measured = KPISnapshotter(database: database, frameworks: frameworks, today: today, now: now).measure([id], known: known)
        async let risks = RiskQuery.rows(RiskFilter(), organisation: id, settings: settings, matrix: matrix, today: today, limit: 5, on: sql)
        async let trend = KPIHistory.trend(of: id, days: trendDays, on: sql)
        async let heatMap = RiskQuery.heatMap(organisation: id, matrix: matrix, on: sql)
        async let estate = EstateSnapshots.trend(of: id, days: 1, on: sql)
        async let due = due(code, id, from: today, on: sql)
        let top = try await risks
        return OrganisationDashboard(
            today: today,
            indicators: try await measured[id] ?? IndicatorValues(),
            trend: try await trend,
            riskTotal: top.total,
            topRisks: top.rows,
            heatMap: try await heatMap,
            gaps: gaps(latest[id] ?? [:]),
            estate: try await estate.last.map { ($0.day, $0.roll_up) },
            due: try await due
        )
    }

    /// The latest DSPT and the latest CAF assessment, each with its shortfalls.
    static func gaps(_ latest: [ComplianceFamily: LatestAssessment]) -> [Gaps] {
        ComplianceFamily.allCases.compactMap { family in
            guard let found = latest[family], let catalogue = found.catalogue, let gaps = found.gaps else { return nil }
            return Gaps(assessment: found.assessment, catalogue: catalogue, belowTarget: gaps.belowTarget, mandatoryNotMet: gaps.mandatoryNotMet)
        }
    }

    /// Dated commitments in the next 30 days, soonest first (overdue ones are in the indicators),
    /// in one statement: up to ten of each kind, and every submission date.
    static func due(_ code: String, _ organisation: UUID, from today: CalendarDay, on sql: any SQLDatabase) async throws -> [Due] {
        let first = today.description, last = today.adding(days: lookAheadDays).description
        let rows = try await sql.raw("""
            SELECT kind, number, title, day FROM (
              SELECT 'risk' AS kind, number, title, next_review AS day FROM risks WHERE organisation_id = \(bind: organisation) AND \(RiskSQL.isLive("status"))
                AND next_review >= \(bind: first) AND next_review <= \(bind: last) ORDER BY next_review, number LIMIT 10) risk_reviews
            UNION ALL SELECT kind, number, title, day FROM (
              SELECT 'action' AS kind, r.number, a.description AS title, a.due AS day FROM risk_actions a JOIN risks r ON r.id = a.risk_id
              WHERE r.organisation_id = \(bind: organisation) AND \(RiskSQL.isLive("r.status")) AND \(RiskSQL.isOpen("a.status"))
                AND a.due >= \(bind: first) AND a.due <= \(bind: last) ORDER BY a.due, r.number LIMIT 10) actions
            UNION ALL SELECT kind, number, title, day FROM (
              SELECT 'evidence' AS kind, number, title, review_by AS day FROM evidence WHERE organisation_id = \(bind: organisation)
                AND review_by >= \(bind: first) AND review_by <= \(bind: last) ORDER BY review_by, number LIMIT 10) evidence_reviews
            UNION ALL SELECT 'interim' AS kind, number, framework_id || ' ' || period AS title, interim_due AS day FROM assessments
              WHERE organisation_id = \(bind: organisation) AND interim_due >= \(bind: first) AND interim_due <= \(bind: last)
            UNION ALL SELECT 'final' AS kind, number, framework_id || ' ' || period AS title, final_due AS day FROM assessments
              WHERE organisation_id = \(bind: organisation) AND final_due >= \(bind: first) AND final_due <= \(bind: last)
            """).all()
        let due = try rows.compactMap { row -> Due? in
            let number = try row.decode(column: "number", as: Int.self)
            let title = try row.decode(column: "title", as: String.self), day = try row.decode(column: "day", as: String.self)
            switch try row.decode(column: "kind", as: String.self) {
            case "risk":
                let reference = RiskReference.format(number)
                return Due(day: day, kind: "Risk review", title: "\(reference) \(title)", url: .risk(code, reference))
            case "action":
                let reference = RiskReference.format(number)
                return Due(day: day, kind: "Action on \(reference)", title: title, url: .risk(code, reference))
            case "evidence":
                return Due(day: day, kind: "Evidence review", title: "E\(number) \(title)", url: .evidence(code, "E\(number)"))
            case let kind:
                return Due(day: day, kind: kind == "interim" ? "Interim submission" : "Final submission", title: "A\(number) \(title)",
                           url: .assessment(code, "A\(number)"))
            }
        }
        return due.sorted { ($0.day, $0.kind) < ($1.day, $1.kind) }
    }

    /// Where each indicator's detail is: the register filtered, the assessment, the estate list.
    func link(_ indicator: KeyIndicator, code: String) -> SiteURL {
        let dspt = gaps.first { ComplianceFamily.of(framework: $0.assessment.frameworkID) == .dspt }
        let caf = gaps.first { ComplianceFamily.of(framework: $0.assessment.frameworkID) == .caf }
        return Self.link(indicator, code: code, dspt: dspt?.assessment.reference, caf: caf?.assessment.reference)
    }

    static func link(_ indicator: KeyIndicator, code: String, dspt: String? = nil, caf: String? = nil) -> SiteURL {
        switch indicator {
        case .risksAboveAppetite, .overdueRiskReviews, .overdueRiskActions: .risks(code)
        case .dsptPosition, .mandatoryNotMet: dspt.map { .assessment(code, $0) } ?? .assessments(code)
        case .cafPosition: caf.map { .assessment(code, $0) } ?? .assessments(code)
        case .expiredEvidence: .evidenceLibrary(code)
        case .patchCompliance, .unsupportedDevices, .knownExploitedDevices: .estateDevices(code)
        case .overdueCyberAlerts: .cyberAlerts(code)
        }
    }

    /// The query that narrows the linked page to what the indicator counts.
    static func linkQuery(_ indicator: KeyIndicator) -> [(String, String)] {
        switch indicator {
        case .risksAboveAppetite: [("above_appetite", "yes")]
        case .overdueRiskReviews: [("review_overdue", "yes")]
        case .expiredEvidence: [("show", EvidenceCurrency.expired.rawValue)]
        case .patchCompliance: [("exposure", EstateQueries.Exposure.noncompliant.rawValue)]
        case .unsupportedDevices: [("exposure", EstateQueries.Exposure.unsupportedOS.rawValue)]
        case .knownExploitedDevices: [("exposure", EstateQueries.Exposure.kev.rawValue)]
        default: []
        }
    }
}
