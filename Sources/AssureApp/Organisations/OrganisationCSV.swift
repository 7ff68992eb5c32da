import AssureCore
import CSV
import Foundation

/// Reads an organisation CSV (`ods_code,name,type,parent_ods_code,dspt_category`) into rows with line numbers.
enum OrganisationCSV {
    static func rows(from text: String) throws -> [OrganisationImport.Row] {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AssureError.invalid([OrganisationImport.Problem(line: 1, field: "file", message: "The file is empty; the first line must be the header \(OrganisationImport.columns.joined(separator: ","))")])
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, trimFields: true)
        } catch {
            throw AssureError.invalid([OrganisationImport.Problem(line: 1, field: "file", message: "The header line could not be read as CSV")])
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let headerProblems = OrganisationImport.checkHeader(header)
        guard headerProblems.isEmpty else { throw AssureError.invalid(headerProblems) }
        var rows: [OrganisationImport.Row] = []
        var shapeProblems: [OrganisationImport.Problem] = []
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy({ $0.isEmpty }) { continue }
            guard fields.count == header.count else {
                shapeProblems.append(.init(line: line, field: "row", message: "Has \(fields.count) fields; the header has \(header.count)"))
                continue
            }
            rows.append(.init(line: line, fields: Dictionary(uniqueKeysWithValues: zip(header, fields))))
        }
        if reader.error != nil {
            shapeProblems.append(.init(line: line + 1, field: "file", message: "The file is not valid CSV or UTF-8 text from here on"))
        }
        guard shapeProblems.isEmpty else { throw AssureError.invalid(shapeProblems) }
        return rows
    }
}
