import AssureCore
import Foundation
import SQLKit
import Vapor

/// The register's filters, sort and page, read from a query string and written back for links
/// (paging, sorting, CSV export), so every view of the register can be bookmarked and exported.
struct RiskFilter: Equatable {
    enum Sort: String, CaseIterable {
        case score, reference, title, review, owner
        var label: String {
            switch self {
            case .score: "Current score (highest first)"
            case .reference: "Reference"
            case .title: "Title"
            case .review: "Next review (soonest first)"
            case .owner: "Owner"
            }
        }
    }

    static let pageSize = 50

    var text: String?
    /// `live` (open or tolerated, the default), `all`, or one status.
    var status = "live"
    var category: RiskCategory?
    var band: String?
    var owner: String?
    /// A directorate or department: its own view of the register.
    var department: String?
    var aboveAppetite = false
    var reviewOverdue = false
    var escalated = false
    /// A heat-map cell: current likelihood and consequence.
    var cell: RiskRating?
    var sort = Sort.score
    var page = 1

    static func read(from req: Request) throws -> RiskFilter {
        var filter = RiskFilter()
        var problems: [RuleError] = []
        func value(_ name: String) -> String? { req.query[String.self, at: name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        filter.text = value("q").map { String($0.prefix(200)) }
        if let status = value("status") {
            if status == "live" || status == "all" || RiskStatus(rawValue: status) != nil { filter.status = status }
            else { problems.append(RuleError(field: "status", message: "Status must be live, all, open, closed, tolerated or transferred")) }
        }
        if let category = value("category") {
            filter.category = RiskCategory(rawValue: category)
            if filter.category == nil { problems.append(RuleError(field: "category", message: "Unknown category '\(category)'")) }
        }
        filter.band = value("band").map { String($0.prefix(40)) }
        filter.owner = value("owner").map { String($0.prefix(254)).lowercased() }
        filter.department = value("department").map { String($0.prefix(200)) }
        filter.aboveAppetite = value("above_appetite") == "yes"
        filter.reviewOverdue = value("review_overdue") == "yes"
        filter.escalated = value("escalated") == "yes"
        if let l = value("likelihood"), let c = value("consequence") {
            if let l = Int(l), let c = Int(c), (1...10).contains(l), (1...10).contains(c) { filter.cell = RiskRating(likelihood: l, consequence: c) }
            else { problems.append(RuleError(field: "likelihood", message: "The heat-map cell must be two numbers from 1 to 10")) }
        }
        if let sort = value("sort") {
            if let parsed = Sort(rawValue: sort) { filter.sort = parsed } else { problems.append(RuleError(field: "sort", message: "Sort by score, reference, title, review or owner")) }
        }
        if let page = value("page") {
            if let number = Int(page), (1...100_000).contains(number) { filter.page = number } else { problems.append(RuleError(field: "page", message: "Page must be a number from 1")) }
        }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        return filter
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let text { items.append(("q", text)) }
        if status != "live" { items.append(("status", status)) }
        if let category { items.append(("category", category.rawValue)) }
        if let band { items.append(("band", band)) }
        if let owner { items.append(("owner", owner)) }
        if let department { items.append(("department", department)) }
        if aboveAppetite { items.append(("above_appetite", "yes")) }
        if reviewOverdue { items.append(("review_overdue", "yes")) }
        if escalated { items.append(("escalated", "yes")) }
        if let cell { items += [("likelihood", String(cell.likelihood)), ("consequence", String(cell.consequence))] }
        if sort != .score { items.append(("sort", sort.rawValue)) }
        return items
    }

    var isFiltered: Bool { queryItems.contains { $0.0 != "sort" } }
}

/// One line of the register, read with SQL (no per-risk queries).
struct RiskRow: Content {
    var number: Int
    var reference: String
    var title: String
    var category: String
    var owner: String
    var department: String
    var status: String
    var current_likelihood: Int
    var current_consequence: Int
    var current_score: Int
    var target_score: Int
    var previous_score: Int?
    var last_reviewed: String
    var next_review: String
    var overdue_actions: Int
    /// The owner's name where they have an account, for pages; the API and CSV keep the email.
    var owner_name: String? = nil

    enum CodingKeys: String, CodingKey {
        case number, reference, title, category, owner, department, status, current_likelihood, current_consequence,
             current_score, target_score, previous_score, last_reviewed, next_review, overdue_actions
    }
}

enum RiskQuery {
    static let columns = """
        r.number, r.title, r.category, r.owner_email, r.department, r.status, r.current_likelihood, r.current_consequence,
        r.current_score, r.target_score, r.previous_score, r.last_reviewed, r.next_review
        """

    /// The page of risks the filter selects, and how many there are in all (`limit` nil: every one, for CSV).
    /// `counted`: the filter's total when the caller already has it (the register page counts it
    /// with its headline figures), so it is not counted again.
    static func rows(_ filter: RiskFilter, organisation: UUID, settings: RiskSettings, matrix: RiskMatrix, today: CalendarDay,
                     limit: Int?, counted: Int? = nil, on sql: any SQLDatabase) async throws -> (total: Int, rows: [RiskRow]) {
        let whereClause = conditions(filter, organisation: organisation, settings: settings, matrix: matrix, today: today)
        let order: String = switch filter.sort {
        case .score: "r.current_score DESC, r.number"
        case .reference: "r.number"
        case .title: "lower(r.title), r.number"
        case .review: "r.next_review, r.number"
        case .owner: "r.owner_email, r.number"
        }
        let paging = limit.map { "LIMIT \($0) OFFSET \((filter.page - 1) * $0)" } ?? ""
        var total = counted ?? 0
        if counted == nil { total = try await sql.raw("SELECT count(*) AS n FROM risks r WHERE " + whereClause).first()?.decode(column: "n", as: Int.self) ?? 0 }
        // The page is chosen first (sorted on the plain columns, inside), and only its rows get their
        // overdue actions and owner's name: a subquery in the outer list runs once a row shown, not
        // once a risk in the register, so the page costs what it shows.
        let page: SQLQueryString = "SELECT r.id, \(unsafeRaw: columns) FROM risks r WHERE " + whereClause
            + " ORDER BY \(unsafeRaw: order) \(unsafeRaw: paging)"
        let select: SQLQueryString = """
            SELECT \(unsafeRaw: columns),
              (SELECT count(*) FROM risk_actions a WHERE a.risk_id = r.id AND \(RiskSQL.isOpen("a.status")) AND a.due < \(bind: today.description)) AS overdue_actions,
              (SELECT u.display_name FROM users u WHERE u.email = r.owner_email) AS owner_name
            FROM (
            """
        let rows = try await sql.raw(select + page + ") r ORDER BY \(unsafeRaw: order)").all()
        return (total, try rows.map(row))
    }

    static func row(_ row: any SQLRow) throws -> RiskRow {
        let number = try row.decode(column: "number", as: Int.self)
        return RiskRow(
            number: number, reference: RiskReference.format(number), title: try row.decode(column: "title", as: String.self),
            category: try row.decode(column: "category", as: String.self), owner: try row.decode(column: "owner_email", as: String.self),
            department: try row.decode(column: "department", as: String.self), status: try row.decode(column: "status", as: String.self),
            current_likelihood: try row.decode(column: "current_likelihood", as: Int.self),
            current_consequence: try row.decode(column: "current_consequence", as: Int.self),
            current_score: try row.decode(column: "current_score", as: Int.self), target_score: try row.decode(column: "target_score", as: Int.self),
            previous_score: try row.decode(column: "previous_score", as: Int?.self),
            last_reviewed: try row.decode(column: "last_reviewed", as: String.self), next_review: try row.decode(column: "next_review", as: String.self),
            overdue_actions: (try? row.decode(column: "overdue_actions", as: Int.self)) ?? 0,
            owner_name: (try? row.decode(column: "owner_name", as: String?.self)) ?? nil)
    }

    /// The WHERE clause, every value bound.
    static func conditions(_ filter: RiskFilter, organisation: UUID, settings: RiskSettings, matrix: RiskMatrix,
                           today: CalendarDay) -> SQLQueryString {
        var parts: [SQLQueryString] = ["r.organisation_id = \(bind: organisation)"]
        switch filter.status {
        case "all": break
        case "live": parts.append(RiskSQL.isLive("r.status"))
        default: parts.append("r.status = \(bind: filter.status)")
        }
        if let category = filter.category { parts.append("r.category = \(bind: category.rawValue)") }
        if let key = filter.band, let band = matrix.bands.first(where: { $0.key == key }) {
            parts.append("r.current_score BETWEEN \(bind: band.lower) AND \(bind: band.upper)")
        }
        if let owner = filter.owner { parts.append("r.owner_email = \(bind: owner)") }
        if let department = filter.department { parts.append("r.department = \(bind: department)") }
        if let text = filter.text {
            let pattern = "%" + text.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            var textParts: [SQLQueryString] = ["title", "cause", "event", "source_reference"].map { column in
                "lower(r.\(unsafeRaw: column)) LIKE \(bind: pattern) ESCAPE '\\'"
            }
            if let number = RiskReference.parse(text) { textParts.append("r.number = \(bind: number)") }
            parts.append("(" + textParts.joined(separator: " OR ") + ")")
        }
        if filter.aboveAppetite {
            let clauses: [SQLQueryString] = settings.appetite.sorted { $0.key.rawValue < $1.key.rawValue }.map { category, limit in
                "(r.category = \(bind: category.rawValue) AND r.current_score > \(bind: limit))"
            }
            parts.append(clauses.isEmpty ? "1 = 0" : "(" + clauses.joined(separator: " OR ") + ")")
        }
        if filter.reviewOverdue { parts.append("r.next_review < \(bind: today.description)") }
        if filter.escalated { parts.append("r.current_score >= \(bind: settings.escalationThreshold)") }
        if let cell = filter.cell {
            parts.append("r.current_likelihood = \(bind: cell.likelihood) AND r.current_consequence = \(bind: cell.consequence)")
        }
        return parts.joined(separator: " AND ")
    }

    /// Counts of live risks per cell, current and target, in one pass over the register.
    static func heatMap(organisation: UUID, matrix: RiskMatrix, on sql: any SQLDatabase) async throws -> RiskHeatMap {
        var map = RiskHeatMap(matrix: matrix)
        let rows = try await sql.raw("""
            SELECT current_likelihood AS cl, current_consequence AS cc, target_likelihood AS tl, target_consequence AS tc, count(*) AS n FROM risks
            WHERE organisation_id = \(bind: organisation) AND \(RiskSQL.isLive("status"))
            GROUP BY current_likelihood, current_consequence, target_likelihood, target_consequence
            """).all()
        for row in rows {
            let count = try row.decode(column: "n", as: Int.self)
            map.add(current: RiskRating(likelihood: try row.decode(column: "cl", as: Int.self), consequence: try row.decode(column: "cc", as: Int.self)), count: count)
            map.add(target: RiskRating(likelihood: try row.decode(column: "tl", as: Int.self), consequence: try row.decode(column: "tc", as: Int.self)), count: count)
        }
        return map
    }

    struct Figures {
        var live = 0
        var aboveAppetite = 0
        var reviewOverdue = 0
        var escalated = 0
        /// How many risks the filter asked for with them matches (`headline(counting:)`).
        var matching: Int?
    }

    /// The register's four headline figures in one pass over the live risks: each figure is the
    /// register's own filter for it, counted where it holds. The register page and the automated
    /// DSPT check both read them here.
    /// With `counting`, the same pass also counts the risks that filter matches (any status).
    static func headline(_ register: RiskRegister, settings: RiskSettings, matrix: RiskMatrix, counting filter: RiskFilter? = nil,
                         on sql: any SQLDatabase) async throws -> Figures {
        func clause(_ change: (inout RiskFilter) -> Void) -> SQLQueryString {
            var filter = RiskFilter()
            change(&filter)
            return conditions(filter, organisation: register.organisation.id, settings: settings, matrix: matrix, today: register.today)
        }
        func counted(_ name: String, _ condition: SQLQueryString) -> SQLQueryString {
            "COALESCE(SUM(CASE WHEN " + condition + " THEN 1 ELSE 0 END), 0) AS \(unsafeRaw: name)"
        }
        var columns: [SQLQueryString] = [
            counted("live", clause { _ in }), counted("above", clause { $0.aboveAppetite = true }),
            counted("overdue", clause { $0.reviewOverdue = true }), counted("escalated", clause { $0.escalated = true }),
        ]
        if let filter {
            columns.append(counted("matching", conditions(filter, organisation: register.organisation.id, settings: settings, matrix: matrix, today: register.today)))
        }
        // Every status is read, so the filter's count (which may ask for closed risks) comes from the same pass.
        guard let row = try await sql.raw("SELECT " + columns.joined(separator: ", ") + " FROM risks r WHERE r.organisation_id = \(bind: register.organisation.id)").first()
        else { return Figures() }
        return Figures(live: try row.decode(column: "live", as: Int.self), aboveAppetite: try row.decode(column: "above", as: Int.self),
                       reviewOverdue: try row.decode(column: "overdue", as: Int.self), escalated: try row.decode(column: "escalated", as: Int.self),
                       matching: filter == nil ? nil : try row.decode(column: "matching", as: Int.self))
    }
}
