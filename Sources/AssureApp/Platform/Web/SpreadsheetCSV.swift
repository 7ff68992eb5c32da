import CSV
import Foundation

/// CSV for people's spreadsheets. Cells a spreadsheet would run as a formula (=, +, -, @, tab,
/// carriage return) are prefixed with an apostrophe (OWASP CSV injection guidance).
enum SpreadsheetCSV {
    static func write(header: [String], rows: [[String]]) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: header)
        for row in rows { try writer.write(row: row.map(neutralised)) }
        writer.stream.close()
        return stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
    }

    static func neutralised(_ cell: String) -> String {
        guard let first = cell.first, "=+-@\t\r".contains(first) else { return cell }
        return "'" + cell
    }
}
