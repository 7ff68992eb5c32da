/// One data row of an imported file, keyed by column, with its line number for messages.
public struct ImportRow: Sendable {
    public let line: Int
    public let fields: [String: String]
    public init(line: Int, fields: [String: String]) {
        self.line = line
        self.fields = fields
    }
}

/// A problem in an imported file, by line and column, so a user can put every one right at once.
public struct ImportProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let field: String
    public let message: String
    public init(line: Int, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }
    public var description: String { "line \(line), \(field): \(message)" }
}

/// Imported files must be UTF-8. A file saved in Latin-1 or Windows-1252 (an `é` as one byte)
/// is refused, naming the line and the byte, rather than stored with U+FFFD in place of letters.
public enum UTF8Text {
    public struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        /// 1-based line, and 1-based offset of the bad byte in the whole file.
        public let line: Int
        public let byte: Int
        public init(line: Int, byte: Int) {
            self.line = line
            self.byte = byte
        }
        public var description: String {
            "line \(line): byte \(byte) is not UTF-8. Save the file as UTF-8 (in Excel: Save As, CSV UTF-8) and try again"
        }
    }

    /// The text, or where the first byte that is not UTF-8 stands.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> Result<String, Invalid> where Bytes.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return .success(text) }
        return .failure(firstInvalid(bytes) ?? Invalid(line: 1, byte: 1))
    }

    /// Checks a file read in chunks (a 130 MB export is never held whole): each chunk is checked
    /// at once by the standard library, up to its last complete character; only a chunk that
    /// fails is walked byte by byte to say where. `nextChunk` returns nil at the end.
    public static func firstInvalid(chunks nextChunk: () throws -> [UInt8]?) rethrows -> Invalid? {
        var carried: [UInt8] = []
        var line = 1, offset = 0
        while let chunk = try nextChunk() {
            var bytes = carried + chunk
            // Keep an unfinished character (at most three bytes) for the next chunk.
            var end = bytes.count
            var back = 0
            while back < 3, end > 0, bytes[end - 1] & 0xC0 == 0x80 { end -= 1; back += 1 }
            if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
            carried = Array(bytes[end...])
            bytes.removeSubrange(end...)
            if String(validating: bytes, as: UTF8.self) == nil, let invalid = firstInvalid(bytes) {
                return Invalid(line: line + invalid.line - 1, byte: offset + invalid.byte)
            }
            line += bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            offset += bytes.count
        }
        if !carried.isEmpty, let invalid = firstInvalid(carried) { return Invalid(line: line + invalid.line - 1, byte: offset + invalid.byte) }
        return nil
    }

    /// Walks the bytes with the standard library's UTF-8 decoder, counting lines and bytes.
    public static func firstInvalid<Bytes: Collection>(_ bytes: Bytes) -> Invalid? where Bytes.Element == UInt8 {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var line = 1, offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == 0x0A { line += 1 }
                offset += encoded.count
            case .error(let length):
                _ = length
                return Invalid(line: line, byte: offset + 1)
            case .emptyInput:
                return nil
            }
        }
    }
}
