import AssureCore
import Foundation
import SQLKit
import Vapor

/// The auditor's filters over one organisation's audit trail, read from the query string.
struct AuditFilter: Sendable {
    var action: String?
    var actor: String?
    var entityType: String?
    /// Inclusive dates, `YYYY-MM-DD`, compared in UTC.
    var from: String?
    var to: String?
    var page = 1

    static let pageSize = 50

    /// Checks every filter and names the one that is wrong.
    static func read(from req: Request) throws -> AuditFilter {
        func text(_ name: String) -> String? {
            req.query[String.self, at: name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var filter = AuditFilter(action: text("action"), actor: text("actor"), entityType: text("entity_type"), from: text("from"), to: text("to"))
        var problems: [AssureError.FieldProblem] = []
        for (field, value) in [("from", filter.from), ("to", filter.to)] {
            if let value, !isDate(value) { problems.append(.init(field: field, message: CalendarDay.formatMessage)) }
        }
        if let from = filter.from, let to = filter.to, isDate(from), isDate(to), from > to {
            problems.append(.init(field: "to", message: "The end date must be the same as or after the start date"))
        }
        if let raw = text("page") {
            if let page = Int(raw), page >= 1, page <= 1_000_000 { filter.page = page } else {
                problems.append(.init(field: "page", message: "page must be a whole number from 1"))
            }
        }
        guard problems.isEmpty else {
            throw AssureError(status: .badRequest, title: "Invalid filter", detail: problems.map(\.message).joined(separator: ". "), problems: problems)
        }
        return filter
    }

    private static func isDate(_ text: String) -> Bool { CalendarDay(text) != nil }

    /// Query items that reproduce these filters (for paging links and the CSV export).
    var queryItems: [(String, String)] {
        [("action", action), ("actor", actor), ("entity_type", entityType), ("from", from), ("to", to)].compactMap { name, value in
            value.map { (name, $0) }
        }
    }
}

enum AuditQuery {
    /// Entries for one organisation, newest first, with the total that match.
    static func entries(for organisationCode: String, _ filter: AuditFilter, limit: Int?, on sql: any SQLDatabase) async throws -> (total: Int, entries: [AuditEntry]) {
        var conditions: [SQLQueryString] = ["organisation_code = \(bind: organisationCode)"]
        if let action = filter.action { conditions.append("action = \(bind: action)") }
        if let actor = filter.actor { conditions.append("actor = \(bind: actor)") }
        if let entityType = filter.entityType { conditions.append("entity_type = \(bind: entityType)") }
        // recorded_at is fixed-width ISO 8601 in UTC, so text comparison orders it by time.
        if let from = filter.from { conditions.append("recorded_at >= \(bind: from)") }
        if let to = filter.to { conditions.append("recorded_at < \(bind: to + "T99")") }
        let whereClause = SQLQueryString("WHERE ") + conditions.joined(separator: " AND ")
        let total = try await sql.raw("SELECT count(*) AS n FROM audit_entries \(whereClause)").first()?.decode(column: "n", as: Int.self) ?? 0
        let paging: SQLQueryString = limit.map { "LIMIT \(bind: $0) OFFSET \(bind: (filter.page - 1) * $0)" } ?? ""
        let rows = try await sql.raw("SELECT \(unsafeRaw: AuditTrail.columns) FROM audit_entries \(whereClause) ORDER BY sequence DESC \(paging)").all()
        return (total, try rows.map(AuditTrail.entry(from:)))
    }

    /// The distinct actions and actors seen for the organisation, to offer as filter choices.
    static func choices(for organisationCode: String, on sql: any SQLDatabase) async throws -> (actions: [String], actors: [String]) {
        let actions = try await sql.raw("SELECT DISTINCT action FROM audit_entries WHERE organisation_code = \(bind: organisationCode) ORDER BY action")
            .all().map { try $0.decode(column: "action", as: String.self) }
        let actors = try await sql.raw("SELECT DISTINCT actor FROM audit_entries WHERE organisation_code = \(bind: organisationCode) ORDER BY actor LIMIT 200")
            .all().map { try $0.decode(column: "actor", as: String.self) }
        return (actions, actors)
    }
}
