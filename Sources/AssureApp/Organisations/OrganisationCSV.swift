import AssureCore
import CSV
import Foundation

/// Reads an organisation CSV (`ods_code,name,type,parent_ods_code,dspt_category`) into rows with line numbers.
enum OrganisationCSV {
    static func rows(from text: String) throws -> [OrganisationImport.Row] {
        let table = try CSVTable.read(text, expecting: OrganisationImport.columns.joined(separator: ","))
        let headerProblems = OrganisationImport.checkHeader(table.header)
        guard headerProblems.isEmpty else { throw AssureError.invalid(headerProblems) }
        return table.rows
    }
}

/// A CSV file as a header and rows keyed by (lower-cased) column, with line numbers. A file that
/// is empty, not CSV, or has rows of the wrong width is refused with the lines named.
enum CSVTable {
    static func read(_ text: String, expecting header: String, lowercaseHeader: Bool = true) throws -> (header: [String], rows: [ImportRow]) {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AssureError.invalid([ImportProblem(line: 1, field: "file", message: "The file is empty; the first line must be the header \(header)")])
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, trimFields: true)
        } catch {
            throw AssureError.invalid([ImportProblem(line: 1, field: "file", message: "The header line could not be read as CSV")])
        }
        let names = (reader.headerRow ?? []).map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            return lowercaseHeader ? trimmed.lowercased() : trimmed
        }
        var rows: [ImportRow] = []
        var problems: [ImportProblem] = []
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy({ $0.isEmpty }) { continue }
            guard fields.count == names.count else {
                problems.append(.init(line: line, field: "row", message: "Has \(fields.count) fields; the header has \(names.count)"))
                continue
            }
            rows.append(.init(line: line, fields: Dictionary(zip(names, fields), uniquingKeysWith: { first, _ in first })))
        }
        if reader.error != nil {
            problems.append(.init(line: line + 1, field: "file", message: "The file is not valid CSV or UTF-8 text from here on"))
        }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        return (names, rows)
    }
}
