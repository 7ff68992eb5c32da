import Foundation

/// A person's email address, the key of their Assure account. Compared case-insensitively, as
/// people type NHS.net addresses in any case.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(RuleError) {
        let normalised = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = normalised.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              normalised.count <= 254, !normalised.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" }) else {
            throw RuleError(field: "email", message: "'\(raw)' is not an email address (for example jane.smith@nhs.net)")
        }
        value = normalised
    }

    public var description: String { value }
}
