import Foundation

/// The Data Security and Protection Toolkit category (1–4) NHS England assigns an organisation;
/// it decides which DSPT (CAF-aligned or National Data Guardian standards) the organisation completes.
public struct DSPTCategory: Hashable, Codable, Sendable, Comparable {
    public let value: Int

    public init(_ value: Int) throws(RuleError) {
        guard (1...4).contains(value) else {
            throw RuleError(field: "dspt_category", message: "DSPT category must be 1, 2, 3 or 4 (got \(value))")
        }
        self.value = value
    }

    /// Parses the text form; an empty string means the organisation has no DSPT category.
    public static func parse(_ raw: String) throws(RuleError) -> DSPTCategory? {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard let number = Int(trimmed) else {
            throw RuleError(field: "dspt_category", message: "DSPT category '\(raw)' must be 1, 2, 3 or 4")
        }
        return try DSPTCategory(number)
    }

    public static func < (lhs: DSPTCategory, rhs: DSPTCategory) -> Bool { lhs.value < rhs.value }
}
