import AssureCore
import Foundation
import SQLKit

/// The register as CSV: the reference, then the same columns the import takes (so an export can
/// be edited and imported elsewhere), then the computed scores and review dates.
enum RiskCSV {
    static let computed = ["initial_score", "current_score", "target_score", "band", "above_appetite", "last_reviewed", "next_review"]

    static func export(_ filter: RiskFilter, context: RiskContext, on sql: any SQLDatabase) async throws -> Data {
        let clause = RiskQuery.conditions(filter, organisation: context.organisation.id, settings: context.settings, matrix: context.matrix, today: context.today)
        let rows = try await sql.raw("SELECT r.* FROM risks r WHERE " + clause + " ORDER BY r.number").all()
        let text = RiskDraft.Input.fields.filter { !$0.hasSuffix("_likelihood") && !$0.hasSuffix("_consequence") }
        return try SpreadsheetCSV.write(header: ["reference"] + RiskDraft.Input.fields + computed, rows: try rows.map { row in
            var cells = [RiskReference.format(try row.decode(column: "number", as: Int.self))]
            for field in RiskDraft.Input.fields {
                let column = field == "owner" ? "owner_email" : field == "handler" ? "handler_email" : field
                if text.contains(field) {
                    cells.append(try row.decode(column: column, as: String?.self) ?? "")
                } else {
                    cells.append(String(try row.decode(column: column, as: Int.self)))
                }
            }
            let current = try row.decode(column: "current_score", as: Int.self)
            let category = RiskCategory(rawValue: try row.decode(column: "category", as: String.self)) ?? .operational
            cells += [String(try row.decode(column: "initial_score", as: Int.self)), String(current), String(try row.decode(column: "target_score", as: Int.self)),
                      context.matrix.band(for: current)?.label ?? "", context.settings.isAboveAppetite(score: current, category: category) ? "yes" : "no",
                      try row.decode(column: "last_reviewed", as: String.self), try row.decode(column: "next_review", as: String.self)]
            return cells
        })
    }
}
