import Foundation

/// A broken rule about something a user entered, naming the field so they can put it right.
public struct RuleError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Every problem found in one input, so a user can correct them all at once.
public struct RuleViolations<Problem: Error & Sendable & Equatable>: Error, Equatable, Sendable {
    public let problems: [Problem]
    public init(_ problems: [Problem]) { self.problems = problems }
}
