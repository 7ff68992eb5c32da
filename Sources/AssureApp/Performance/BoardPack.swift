import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Everything in a board pack for one organisation and period, read from the live records and the
/// daily snapshots: nothing in it is typed in by hand, so the paper matches what Assure shows.
struct BoardPack {
    /// A risk whose score moved during the period, or that was opened in it.
    struct Movement {
        var reference: String
        var title: String
        var before: Int?
        var after: Int
        var status: String
    }

    /// Where a figure in the pack came from, and when it was taken.
    struct Source {
        var name: String
        var detail: String
    }

    var organisation: OrganisationRecord
    var period: ReportingPeriod
    var generatedAt: Date
    var matrix: RiskMatrix
    /// The first snapshot in the period, and the figures at its end (live when it ends today).
    var opening: KPIHistory.Point?
    var closing: IndicatorValues
    var trend: [KPIHistory.Point]
    var objectives: [ObjectiveView]
    var heatMap: RiskHeatMap
    var movements: [Movement]
    var aboveAppetite: [RiskRow]
    var overdueActions: [(reference: String, description: String, owner: String, due: String)]
    var gaps: [OrganisationDashboard.Gaps]
    var estate: [EstateSnapshots.Point]
    var sources: [Source]
    /// Owners' names by email, for the risks and actions the pack lists.
    var people: [String: String] = [:]

    /// The name a board reads for an owner's email.
    func name(of email: String) -> String { people[email] ?? email }

    static func load(_ context: OrganisationContext, period: ReportingPeriod, frameworks: FrameworkLibrary) async throws -> BoardPack {
        let database = context.database, now = context.clock.now()
        let sql = try database.sqlDatabase
        let id = context.organisation.id
        let (settings, matrix) = try await RiskRegister.configuration(of: id, on: database)
        let trend = try await KPIHistory.between(of: id, from: period.from, to: period.to, on: sql)
        let closing: IndicatorValues = period.to == context.today
            ? try await KPISnapshotter(database: database, frameworks: frameworks, today: context.today, now: now).measure([id])[id] ?? IndicatorValues()
            : trend.last?.values ?? IndicatorValues()
        var above = RiskFilter()
        above.aboveAppetite = true
        let estate = try await EstateSnapshots.trend(of: id, days: 400, on: sql).filter { $0.day <= period.to.description }
        let gaps = OrganisationDashboard.gaps(try await LatestAssessments.read(of: [id], frameworks: frameworks, on: database)[id] ?? [:])
        var pack = BoardPack(
            organisation: context.organisation, period: period, generatedAt: now, matrix: matrix,
            opening: trend.first, closing: closing, trend: trend,
            objectives: try await ObjectiveView.all(in: context.organisation, on: database),
            heatMap: try await RiskQuery.heatMap(organisation: id, matrix: matrix, on: sql),
            movements: try await movements(of: id, in: period, on: sql),
            aboveAppetite: try await RiskQuery.rows(above, organisation: id, settings: settings, matrix: matrix, today: context.today, limit: 25, on: sql).rows,
            overdueActions: try await overdueActions(of: id, today: context.today, on: sql),
            gaps: gaps,
            estate: estate.filter { $0.day >= period.from.description || $0.day == estate.last?.day },
            sources: try await sources(of: id, period: period, gaps: gaps, estateDay: estate.last?.day, now: now, on: sql)
        )
        pack.people = try await PeopleNames.names(of: pack.aboveAppetite.map(\.owner) + pack.overdueActions.map(\.owner), on: database)
        return pack
    }

    /// Each risk's score at the start and end of the period, from its score history.
    static func movements(of organisation: UUID, in period: ReportingPeriod, on sql: any SQLDatabase) async throws -> [Movement] {
        let start = period.from.date, end = period.to.adding(days: 1).date
        let rows = try await sql.raw("""
            SELECT r.id, r.number, r.title, r.status, c.changed_at, c.score FROM risk_score_changes c JOIN risks r ON r.id = c.risk_id
            WHERE r.organisation_id = \(bind: organisation) AND c.changed_at < \(bind: end) ORDER BY r.number, c.changed_at
            """).all()
        var movements: [Movement] = []
        var current: (id: UUID, movement: Movement)?
        func finish() { if let done = current?.movement, done.before != done.after { movements.append(done) } }
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            if current?.id != id {
                finish()
                current = (id, Movement(reference: RiskReference.format(try row.decode(column: "number", as: Int.self)), title: try row.decode(column: "title", as: String.self),
                                        before: nil, after: 0, status: try row.decode(column: "status", as: String.self)))
            }
            let score = try row.decode(column: "score", as: Int.self)
            if try row.decode(column: "changed_at", as: Date.self) < start { current?.movement.before = score }
            current?.movement.after = score
        }
        finish()
        return movements.sorted { ($0.after - ($0.before ?? 0), $0.reference) > ($1.after - ($1.before ?? 0), $1.reference) }
    }

    static func overdueActions(of organisation: UUID, today: CalendarDay, on sql: any SQLDatabase) async throws -> [(reference: String, description: String, owner: String, due: String)] {
        try await sql.raw("""
            SELECT r.number, a.description, a.owner_email, a.due FROM risk_actions a JOIN risks r ON r.id = a.risk_id
            WHERE r.organisation_id = \(bind: organisation) AND \(RiskSQL.isLive("r.status")) AND \(RiskSQL.isOpen("a.status"))
              AND a.due < \(bind: today.description) ORDER BY a.due, r.number LIMIT 25
            """).all().map { row in
            (RiskReference.format(try row.decode(column: "number", as: Int.self)), try row.decode(column: "description", as: String.self),
             try row.decode(column: "owner_email", as: String.self), try row.decode(column: "due", as: String.self))
        }
    }

    static func sources(of organisation: UUID, period: ReportingPeriod, gaps: [OrganisationDashboard.Gaps], estateDay: String?, now: Date,
                        on sql: any SQLDatabase) async throws -> [Source] {
        var sources: [Source] = []
        let snapshots = try await sql.raw("""
            SELECT day, taken_at FROM kpi_snapshots WHERE organisation_id = \(bind: organisation)
              AND day >= \(bind: period.from.description) AND day <= \(bind: period.to.description) ORDER BY day
            """).all().map { (try $0.decode(column: "day", as: String.self), try $0.decode(column: "taken_at", as: Date.self)) }
        if let first = snapshots.first, let last = snapshots.last {
            sources.append(Source(name: "Key indicator snapshots", detail: "\(Words.count(snapshots.count, "daily snapshot")), the first taken \(LondonTime.format(first.1)), the last \(LondonTime.format(last.1))"))
        } else {
            sources.append(Source(name: "Key indicator snapshots", detail: "None in the period: the opening figures are not available"))
        }
        sources.append(Source(name: "Closing figures", detail: period.to == CalendarDay.inEngland(now) ? "Measured from the live records at \(LondonTime.format(now))" : "The snapshot of \(period.to) or the last before it"))
        sources.append(Source(name: "Risk register and Board Assurance Framework", detail: "Live records at \(LondonTime.format(now)); score movements from each risk's score history"))
        for gap in gaps {
            sources.append(Source(name: "\(gap.catalogue.title) assessment \(gap.assessment.reference)", detail: "Period \(gap.assessment.period), framework version \(gap.assessment.frameworkVersion), results as recorded at \(LondonTime.format(now))"))
        }
        sources.append(Source(name: "Estate", detail: estateDay.map { "The inventory analysis of \($0)" } ?? "No inventory has been analysed"))
        for row in try await sql.raw("SELECT kind, source, records, catalogue_date, imported_at FROM kb_imports ORDER BY imported_at DESC LIMIT 8").all() {
            let date = try row.decode(column: "catalogue_date", as: String?.self)
            sources.append(Source(name: "Vulnerability knowledge: \(try row.decode(column: "kind", as: String.self))",
                                  detail: "\(try row.decode(column: "records", as: Int.self)) records from \(try row.decode(column: "source", as: String.self))\(date.map { ", catalogue dated \($0)" } ?? ""), imported \(LondonTime.format(try row.decode(column: "imported_at", as: Date.self)))"))
        }
        return sources
    }

}

extension KPIHistory {
    /// One organisation's snapshots within a period, oldest first.
    static func between(of organisation: UUID, from: CalendarDay, to: CalendarDay, on sql: any SQLDatabase) async throws -> [Point] {
        try await sql.raw("""
            SELECT s.day, \(unsafeRaw: KPIColumns.packed) AS figures FROM kpi_snapshots s WHERE s.organisation_id = \(bind: organisation)
              AND s.day >= \(bind: from.description) AND s.day <= \(bind: to.description) ORDER BY s.day
            """).all().map(Point.init(row:))
    }
}
