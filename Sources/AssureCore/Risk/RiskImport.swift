/// Checks a whole risk file (for example a Datix export) before anything is written: the file's
/// columns are mapped to Assure's fields, then every row is checked on its own against the
/// matrix and the organisation's people. Any problem, and nothing is imported.
public enum RiskImport {
    public static let required: Set<String> = ["title", "cause", "event", "effect", "category", "owner", "opened",
                                               "initial_likelihood", "initial_consequence", "current_likelihood", "current_consequence",
                                               "target_likelihood", "target_consequence"]

    /// The column overrides a form or query string names as `map_<field>=<column>` (blank ones left out).
    public static func mapping(from values: [String: String]) -> [String: String] {
        var mapping: [String: String] = [:]
        for field in RiskDraft.Input.fields {
            if let column = values["map_\(field)"]?.trimmingCharacters(in: .whitespaces), !column.isEmpty { mapping[field] = String(column.prefix(200)) }
        }
        return mapping
    }

    /// Which column holds each field: the override if given, else a column of the field's own name.
    public static func mapping(header: [String], overrides: [String: String]) -> Result<[String: String], RuleViolations<ImportProblem>> {
        let columns = Set(header.map { $0.lowercased() })
        var mapping: [String: String] = [:]
        var problems: [ImportProblem] = []
        for field in RiskDraft.Input.fields {
            if let chosen = overrides[field]?.trimmingCharacters(in: .whitespaces).lowercased(), !chosen.isEmpty {
                if columns.contains(chosen) { mapping[field] = chosen }
                else { problems.append(ImportProblem(line: 1, field: "map_\(field)", message: "The file has no column '\(chosen)' for \(field)")) }
            } else if columns.contains(field) {
                mapping[field] = field
            } else if required.contains(field) {
                problems.append(ImportProblem(line: 1, field: field, message: "No column for \(field): name a column '\(field)' or map one to it"))
            }
        }
        return problems.isEmpty ? .success(mapping) : .failure(RuleViolations(problems))
    }

    /// Every row as a draft, or every problem by line and the file's column name.
    public static func drafts(_ rows: [ImportRow], mapping: [String: String], matrix: RiskMatrix, today: CalendarDay,
                              owners: Set<String>) -> Result<[RiskDraft], RuleViolations<ImportProblem>> {
        var drafts: [RiskDraft] = []
        drafts.reserveCapacity(rows.count)
        var problems: [ImportProblem] = []
        for row in rows {
            var input = RiskDraft.Input()
            for (field, column) in mapping { input[field] = row.fields[column] }
            switch RiskDraft.parse(input, matrix: matrix, today: today) {
            case .failure(let violations):
                problems += violations.problems.map { ImportProblem(line: row.line, field: mapping[$0.field] ?? $0.field, message: $0.message) }
            case .success(let draft):
                var peopleProblems: [ImportProblem] = []
                if !owners.contains(draft.owner.value) {
                    peopleProblems.append(ImportProblem(line: row.line, field: mapping["owner"] ?? "owner", message: "\(draft.owner.value) has no role in this organisation"))
                }
                if let handler = draft.handler, !owners.contains(handler.value) {
                    peopleProblems.append(ImportProblem(line: row.line, field: mapping["handler"] ?? "handler", message: "\(handler.value) has no role in this organisation"))
                }
                if peopleProblems.isEmpty { drafts.append(draft) } else { problems += peopleProblems }
            }
            if problems.count >= 500 { break }  // enough to fix before trying again
        }
        if rows.isEmpty { problems.append(ImportProblem(line: 2, field: "file", message: "The file has a header but no risks")) }
        return problems.isEmpty ? .success(drafts) : .failure(RuleViolations(problems))
    }
}
