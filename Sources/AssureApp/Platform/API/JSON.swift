import Foundation

/// A JSON value, for documents Assure writes itself (the OpenAPI description). Literals read as
/// JSON, so a schema fragment is written as `["type": "string", "maxLength": 200]`.
indirect enum JSON: Sendable, Equatable, Encodable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// An object's member, or nil for anything else.
    subscript(key: String) -> JSON? {
        get { if case .object(let members) = self { members[key] } else { nil } }
        set {
            guard case .object(var members) = self else { return }
            members[key] = newValue
            self = .object(members)
        }
    }

    var objectMembers: [String: JSON]? { if case .object(let members) = self { members } else { nil } }

    /// Compact JSON with sorted keys, so the same document is always the same bytes.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .integer(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(floatLiteral value: Double) { self = .number(value) }
    init(arrayLiteral elements: JSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSON)...) { self = .object(Dictionary(elements, uniquingKeysWith: { $1 })) }
}

extension JSON {
    /// An enumeration's values, listed from the Swift type so the document cannot fall behind it.
    static func values<E: CaseIterable & RawRepresentable>(of type: E.Type, adding extra: [String] = []) -> JSON where E.RawValue == String {
        .array((extra + type.allCases.map(\.rawValue)).map(JSON.string))
    }

    static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }
}
