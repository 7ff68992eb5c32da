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
