import Foundation

/// An Organisation Data Service (ODS) code: the NHS's identifier for an organisation.
///
/// Codes are upper-case letters and digits. Where the NHS gives a type a fixed shape
/// (regions `Y56`, ICBs `QHG`, trusts `RJ1`/`TAD`, GP practices `A81001`) the code must have it,
/// so a mistyped code is caught at the door rather than found later in a roll-up.
public struct ODSCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: String

    /// Normalises (trims, upper-cases) and checks the general shape: 3 to 10 letters or digits.
    public init(_ raw: String) throws(RuleError) {
        let normalised = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard !normalised.isEmpty else {
            throw RuleError(field: "ods_code", message: "ODS code is required")
        }
        guard (3...10).contains(normalised.count),
              normalised.unicodeScalars.allSatisfy(Self.isCodeCharacter) else {
            throw RuleError(
                field: "ods_code",
                message: "ODS code '\(raw)' must be 3 to 10 letters or digits"
            )
        }
        value = normalised
    }

    /// Checks the code against the shape the NHS uses for this type of organisation.
    public func check(isShapedFor type: OrganisationType) throws(RuleError) {
        guard let shape = type.codeShape else { return }
        guard shape.matches(value) else {
            throw RuleError(
                field: "ods_code",
                message: "ODS code '\(value)' is not shaped like \(type.withArticle) code (for example \(shape.example))"
            )
        }
    }

    public var description: String { value }
    public static func < (lhs: ODSCode, rhs: ODSCode) -> Bool { lhs.value < rhs.value }

    private static func isCodeCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

/// The fixed shape of an ODS code for one type of organisation, as a sequence of character classes.
public struct ODSCodeShape: Sendable {
    public enum Position: Sendable {
        case letter(in: Set<Character>?)
        case digit
        case letterOrDigit
    }
    public let positions: [Position]
    public let example: String

    public func matches(_ code: String) -> Bool {
        guard code.count == positions.count else { return false }
        return zip(code, positions).allSatisfy { character, position in
            switch position {
            case .digit: return character.isASCII && character.isNumber
            case .letterOrDigit: return character.isASCII && (character.isNumber || character.isUppercase)
            case .letter(let allowed):
                guard character.isASCII && character.isUppercase else { return false }
                return allowed.map { $0.contains(character) } ?? true
            }
        }
    }
}
