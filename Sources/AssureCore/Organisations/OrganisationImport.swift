import Foundation

/// Checks a whole organisation file before anything is written: every row must be valid on its
/// own, codes must be unique, and every row must fit the tree formed by the existing
/// organisations plus the file (so a file may name parents that appear further down).
public enum OrganisationImport {
    public static let columns = ["ods_code", "name", "type", "parent_ods_code", "dspt_category"]

    public typealias Row = ImportRow
    public typealias Problem = ImportProblem

    /// The header must name every expected column; extra columns are refused so a misspelt one is not silently dropped.
    public static func checkHeader(_ header: [String]) -> [Problem] {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var problems = columns.filter { !names.contains($0) }.map {
            Problem(line: 1, field: $0, message: "Column '\($0)' is missing from the header")
        }
        problems += names.filter { !columns.contains($0) }.map {
            Problem(line: 1, field: $0, message: "Column '\($0)' is not recognised; expected \(columns.joined(separator: ","))")
        }
        return problems
    }

    public static func validate(_ rows: [Row], existing: OrganisationHierarchy) -> Result<[OrganisationDraft], RuleViolations<Problem>> {
        var problems: [Problem] = []
        var drafts: [(line: Int, draft: OrganisationDraft)] = []
        var firstLineOfCode: [ODSCode: Int] = [:]
        for row in rows {
            let parsed = OrganisationDraft.parse(
                odsCode: row.fields["ods_code"] ?? "", name: row.fields["name"] ?? "", type: row.fields["type"] ?? "",
                parentCode: row.fields["parent_ods_code"] ?? "", dsptCategory: row.fields["dspt_category"] ?? ""
            )
            switch parsed {
            case .failure(let errors):
                problems += errors.problems.map { Problem(line: row.line, field: $0.field, message: $0.message) }
            case .success(let draft):
                if let earlier = firstLineOfCode[draft.odsCode] {
                    problems.append(Problem(line: row.line, field: "ods_code", message: "ODS code \(draft.odsCode) already appears on line \(earlier)"))
                    continue
                }
                firstLineOfCode[draft.odsCode] = row.line
                drafts.append((row.line, draft))
            }
        }
        var tree = existing
        for (_, draft) in drafts {
            tree.place(.init(code: draft.odsCode, type: draft.type, parentCode: draft.parentCode))
        }
        for (line, draft) in drafts {
            do { try tree.check(draft) } catch {
                problems.append(Problem(line: line, field: error.field, message: error.message))
            }
        }
        if rows.isEmpty {
            problems.append(Problem(line: 2, field: "ods_code", message: "The file has no organisations after the header"))
        }
        return problems.isEmpty ? .success(drafts.map(\.draft)) : .failure(RuleViolations(problems.sorted { ($0.line, $0.field) < ($1.line, $1.field) }))
    }
}
