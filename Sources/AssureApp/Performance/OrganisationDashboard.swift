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

    static func load(_ context: RiskContext, frameworks: FrameworkLibrary, now: Date, on database: any Database) async throws -> OrganisationDashboard {
        let sql = try database.sqlDatabase
        let id = context.organisation.id, today = context.today, code = context.organisation.odsCode
        // The sections are independent reads: on PostgreSQL each goes out on its own pooled connection.
        async let measured = KPISnapshotter(database: database, frameworks: frameworks, today: today, now: now).measure([id])
        async let risks = RiskQuery.rows(RiskFilter(), organisation: id, settings: context.settings, matrix: context.matrix, today: today, limit: 5, on: sql)
        async let trend = KPIHistory.trend(of: id, days: trendDays, on: sql)
        async let heatMap = RiskQuery.heatMap(organisation: id, matrix: context.matrix, on: sql)
        async let gaps = gaps(of: id, frameworks: frameworks, on: database)
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
            gaps: try await gaps,
            estate: try await estate.last.map { ($0.day, $0.roll_up) },
            due: try await due
        )
    }

    /// The latest DSPT and the latest CAF assessment, each with its shortfalls.
    static func gaps(of organisation: UUID, frameworks: FrameworkLibrary, on database: any Database) async throws -> [Gaps] {
        var found: [Gaps] = []
        for family in [CompliancePositions.dsptFrameworks, CompliancePositions.cafFrameworks] {
            guard let assessment = try await Assessment.query(on: database).filter(\.$organisation.$id == organisation)
                .filter(\.$frameworkID ~~ family).sort(\.$number, .descending).first(),
                let catalogue = frameworks.find("\(assessment.frameworkID)@\(assessment.frameworkVersion)") else { continue }
            let results = try await AssessmentResult.query(on: database).filter(\.$assessment.$id == assessment.requireID()).all()
            let levels = Dictionary(results.compactMap { result in result.level.map { (result.itemID, $0) } }, uniquingKeysWith: { first, _ in first })
            let gaps = catalogue.gaps(results: levels, targets: assessment.targets)
            found.append(Gaps(assessment: assessment, catalogue: catalogue, belowTarget: gaps.belowTarget, mandatoryNotMet: gaps.mandatoryNotMet))
        }
        return found
    }

    /// Dated commitments in the next 30 days, soonest first (overdue ones are in the indicators).
    static func due(_ code: String, _ organisation: UUID, from today: CalendarDay, on sql: any SQLDatabase) async throws -> [Due] {
        let first = today.description, last = today.adding(days: lookAheadDays).description
        var due: [Due] = []
        for row in try await sql.raw("""
            SELECT number, title, next_review FROM risks WHERE organisation_id = \(bind: organisation) AND \(RiskSQL.isLive("status"))
              AND next_review >= \(bind: first) AND next_review <= \(bind: last) ORDER BY next_review, number LIMIT 10
            """).all() {
            let reference = RiskReference.format(try row.decode(column: "number", as: Int.self))
            due.append(Due(day: try row.decode(column: "next_review", as: String.self), kind: "Risk review",
                           title: "\(reference) \(try row.decode(column: "title", as: String.self))", url: .risk(code, reference)))
        }
        for row in try await sql.raw("""
            SELECT r.number, a.description, a.due FROM risk_actions a JOIN risks r ON r.id = a.risk_id
            WHERE r.organisation_id = \(bind: organisation) AND \(RiskSQL.isLive("r.status")) AND \(RiskSQL.isOpen("a.status"))
              AND a.due >= \(bind: first) AND a.due <= \(bind: last) ORDER BY a.due, r.number LIMIT 10
            """).all() {
            let reference = RiskReference.format(try row.decode(column: "number", as: Int.self))
            due.append(Due(day: try row.decode(column: "due", as: String.self), kind: "Action on \(reference)",
                           title: try row.decode(column: "description", as: String.self), url: .risk(code, reference)))
        }
        for row in try await sql.raw("""
            SELECT number, title, review_by FROM evidence WHERE organisation_id = \(bind: organisation)
              AND review_by >= \(bind: first) AND review_by <= \(bind: last) ORDER BY review_by, number LIMIT 10
            """).all() {
            let reference = "E\(try row.decode(column: "number", as: Int.self))"
            due.append(Due(day: try row.decode(column: "review_by", as: String.self), kind: "Evidence review",
                           title: "\(reference) \(try row.decode(column: "title", as: String.self))", url: .evidence(code, reference)))
        }
        for row in try await sql.raw("""
            SELECT number, framework_id, period, interim_due, final_due FROM assessments WHERE organisation_id = \(bind: organisation)
              AND ((interim_due >= \(bind: first) AND interim_due <= \(bind: last)) OR (final_due >= \(bind: first) AND final_due <= \(bind: last)))
            """).all() {
            let reference = "A\(try row.decode(column: "number", as: Int.self))"
            let name = "\(reference) \(try row.decode(column: "framework_id", as: String.self)) \(try row.decode(column: "period", as: String.self))"
            for (kind, column) in [("Interim submission", "interim_due"), ("Final submission", "final_due")] {
                if let day = try row.decode(column: column, as: String?.self), day >= first, day <= last {
                    due.append(Due(day: day, kind: kind, title: name, url: .assessment(code, reference)))
                }
            }
        }
        return due.sorted { ($0.day, $0.kind) < ($1.day, $1.kind) }
    }

    /// Where each indicator's detail is: the register filtered, the assessment, the estate list.
    func link(_ indicator: KeyIndicator, code: String) -> SiteURL {
        let dspt = gaps.first { CompliancePositions.dsptFrameworks.contains($0.assessment.frameworkID) }
        let caf = gaps.first { CompliancePositions.cafFrameworks.contains($0.assessment.frameworkID) }
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
