import Foundation
import NIOConcurrencyHelpers

/// A type the API description names as a component (`#/components/schemas/<name>`), with what
/// decoding cannot tell: descriptions, lengths, patterns, ranges. `fieldNotes` keys must be
/// fields the type really reads; `JSONSchemaReader` refuses a note for a field that is not there.
protocol APISchema: Decodable {
    static var schemaName: String { get }
    /// Merged into the type's own schema (a description, `additionalProperties: false`).
    static var schemaNotes: [String: JSON] { get }
    /// Merged into each named field's schema. A note with `type` or `oneOf` replaces what was read
    /// (a multipart file is binary on the wire, whatever Swift decodes it into).
    static var fieldNotes: [String: JSON] { get }
}

extension APISchema {
    static var schemaNotes: [String: JSON] { [:] }
    static var fieldNotes: [String: JSON] { [:] }
}

/// Works out the JSON Schema of a `Decodable` type by decoding it once from a decoder that
/// answers every question with a stand-in value and writes down what was asked: each key, its
/// type, and whether it may be absent (`decodeIfPresent`). The description of a body is read
/// from the very `init(from:)` that reads real requests, so the two cannot disagree.
final class JSONSchemaReader {
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var components: [String: JSON] = [:]
    private var depth = 0

    /// The schema of `type`: a `$ref` for an `APISchema`, the schema itself otherwise.
    func schema<T: Decodable>(for type: T.Type) throws -> JSON {
        try read(type).schema
    }

    /// The names of the fields a body type reads, in no particular order.
    func fieldNames<T: Decodable>(of type: T.Type) throws -> Set<String> {
        var schema = try read(type).schema
        if case .string(let reference)? = schema["$ref"], let name = reference.split(separator: "/").last, let stored = components[String(name)] {
            schema = stored
        }
        return Set(schema["properties"]?.objectMembers.map { Array($0.keys) } ?? [])
    }

    func read<T: Decodable>(_ type: T.Type) throws -> (value: T, schema: JSON) {
        if let known = try Self.primitive(type) { return known }
        if let enumeration = type as? any (CaseIterable & RawRepresentable).Type, let found = Self.cases(of: enumeration),
           let value = found.value as? T {
            return (value, found.schema)
        }
        if let dictionary = type as? any StringKeyedDictionary.Type {
            let valueSchema = try dictionary.valueSchema(self)
            guard let empty = dictionary.empty as? T else { throw Refusal(description: "\(T.self): not a dictionary") }
            return (empty, ["type": "object", "additionalProperties": valueSchema])
        }
        depth += 1
        defer { depth -= 1 }
        guard depth < 24 else { throw Refusal(description: "\(T.self) nests too deeply to describe (is it recursive?)") }
        let decoder = SchemaDecoder(reader: self)
        let value: T
        do {
            value = try T(from: decoder)
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal(description: "\(T.self) could not be read from stand-in values: \(error)")
        }
        var schema = decoder.node.schema
        guard let named = type as? any APISchema.Type else { return (value, schema) }
        for (field, note) in named.fieldNotes {
            guard var property = schema["properties"]?[field] else {
                throw Refusal(description: "\(named.schemaName) has a note for '\(field)', which it does not read")
            }
            if note["oneOf"] != nil || note["type"] != nil { property = [:] }
            for (key, value) in note.objectMembers ?? [:] { property[key] = value }
            schema["properties"]?[field] = property
        }
        for (key, value) in named.schemaNotes where key != "required" { schema[key] = value }
        if case .array(let names)? = named.schemaNotes["required"] {
            // Fields the domain insists on (it answers 422 without them) though the decoder lets them be absent.
            var required = Set<String>()
            if case .array(let already)? = schema["required"] { for case .string(let field) in already { required.insert(field) } }
            for case .string(let field) in names {
                guard schema["properties"]?[field] != nil else {
                    throw Refusal(description: "\(named.schemaName) says '\(field)' is required, but does not read it")
                }
                required.insert(field)
            }
            schema["required"] = .strings(required.sorted())
        }
        if let existing = components[named.schemaName], existing != schema {
            throw Refusal(description: "Two types are described as \(named.schemaName)")
        }
        components[named.schemaName] = schema
        return (value, ["$ref": .string("#/components/schemas/\(named.schemaName)")])
    }

    /// JSON's own kinds, and the values Assure writes as formatted strings.
    private static func primitive<T>(_ type: T.Type) throws -> (value: T, schema: JSON)? {
        let found: (Any, JSON)? = switch type {
        case is String.Type: ("", ["type": "string"])
        case is Bool.Type: (false, ["type": "boolean"])
        case let integer as any FixedWidthInteger.Type: (zero(integer), ["type": "integer"])
        case let number as any BinaryFloatingPoint.Type: (zero(number), ["type": "number"])
        case is Date.Type: (Date(timeIntervalSince1970: 0), ["type": "string", "format": "date-time"])
        case is UUID.Type: (UUID(), ["type": "string", "format": "uuid"])
        case is URL.Type: (URL(fileURLWithPath: "/"), ["type": "string", "format": "uri-reference"])
        default: nil
        }
        guard let found else { return nil }
        guard let value = found.0 as? T else { throw Refusal(description: "\(T.self): stand-in of the wrong type") }
        return (value, found.1)
    }

    private static func zero<N: Numeric>(_ type: N.Type) -> N { 0 }

    private static func cases<E: CaseIterable & RawRepresentable>(of type: E.Type) -> (value: E, schema: JSON)? {
        guard let first = type.allCases.first else { return nil }
        if E.RawValue.self == String.self {
            return (first, ["type": "string", "enum": .array(type.allCases.map { .string("\($0.rawValue)") })])
        }
        if first.rawValue is Int {
            return (first, ["type": "integer", "enum": .array(type.allCases.compactMap { ($0.rawValue as? Int).map(JSON.integer) })])
        }
        return nil
    }

    /// The nullable form of a field's schema: absent and `null` both decode as nil.
    static func nullable(_ schema: JSON) -> JSON {
        if case .string(let type)? = schema["type"], schema["enum"] == nil {
            var widened = schema
            widened["type"] = [.string(type), "null"]
            return widened
        }
        return ["anyOf": [schema, ["type": "null"]]]
    }
}

/// `[String: Value]` reads as an object whose members are all `Value`.
protocol StringKeyedDictionary {
    static func valueSchema(_ reader: JSONSchemaReader) throws -> JSON
    static var empty: Self { get }
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Decodable {
    static func valueSchema(_ reader: JSONSchemaReader) throws -> JSON { try reader.schema(for: Value.self) }
    static var empty: Self { [:] }
}

/// What one `init(from:)` asked for: the members of an object, the items of an array, or one value.
private final class SchemaNode {
    var properties: [String: JSON] = [:]
    var required: Set<String> = []
    var isObject = false
    /// Keys the decoder asked about before reading (`contains`): it reads them only when present.
    var probed: Set<String> = []
    var items: JSON?
    var single: JSON?

    func record(_ key: String, _ schema: JSON, required asked: Bool) {
        let isRequired = asked && !probed.contains(key)
        let schema = asked && !isRequired ? JSONSchemaReader.nullable(schema) : schema
        isObject = true
        if let existing = properties[key], existing != schema {
            // A field read two ways (say a number or a label) accepts either.
            properties[key] = ["oneOf": [existing, schema]]
        } else {
            properties[key] = schema
        }
        if isRequired { required.insert(key) }
    }

    var schema: JSON {
        if let single { return single }
        if let items { return ["type": "array", "items": items] }
        var schema: JSON = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.sorted().map(JSON.string)) }
        return schema
    }
}

private final class SchemaDecoder: Decoder {
    let reader: JSONSchemaReader
    let node = SchemaNode()
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(reader: JSONSchemaReader) { self.reader = reader }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        node.isObject = true
        return KeyedDecodingContainer(KeyedReader<Key>(reader: reader, node: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { UnkeyedReader(reader: reader, node: node) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleReader(reader: reader, node: node) }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: JSONSchemaReader
    let node: SchemaNode
    var codingPath: [any CodingKey] = []
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool {
        node.probed.insert(key.stringValue)
        return true
    }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (value, schema) = try reader.read(type)
        node.record(key.stringValue, schema, required: true)
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        let (_, schema) = try reader.read(type)
        node.record(key.stringValue, JSONSchemaReader.nullable(schema), required: false)
        return nil
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, generic: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, generic: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, generic: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, generic: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, generic: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, generic: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, generic: key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresent(type, generic: key) }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, generic: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeIfPresent(type, generic: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, generic: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeIfPresent(type, generic: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, generic: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeIfPresent(type, generic: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, generic: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeIfPresent(type, generic: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, generic: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeIfPresent(type, generic: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, generic: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeIfPresent(type, generic: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, generic: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeIfPresent(type, generic: key) }

    private func decode<T: Decodable>(_ type: T.Type, generic key: Key) throws -> T {
        let (value, schema) = try reader.read(type)
        node.record(key.stringValue, schema, required: true)
        return value
    }

    private func decodeIfPresent<T: Decodable>(_ type: T.Type, generic key: Key) throws -> T? {
        let (_, schema) = try reader.read(type)
        node.record(key.stringValue, JSONSchemaReader.nullable(schema), required: false)
        return nil
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw JSONSchemaReader.Refusal(description: "nested containers (\(key.stringValue)) are not described; decode a type instead")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw JSONSchemaReader.Refusal(description: "nested containers (\(key.stringValue)) are not described; decode a type instead")
    }

    func superDecoder() throws -> any Decoder { throw JSONSchemaReader.Refusal(description: "superDecoder is not described") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw JSONSchemaReader.Refusal(description: "superDecoder is not described") }
}

/// An array: one stand-in item is read, then the array ends.
private struct UnkeyedReader: UnkeyedDecodingContainer {
    let reader: JSONSchemaReader
    let node: SchemaNode
    var codingPath: [any CodingKey] = []
    var count: Int? { nil }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex > 0 }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try item(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try item(type) }
    mutating func decode(_ type: String.Type) throws -> String { try item(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try item(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try item(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try item(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try item(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try item(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try item(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try item(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try item(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try item(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try item(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try item(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try item(type) }

    private mutating func item<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, schema) = try reader.read(type)
        node.items = schema
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw JSONSchemaReader.Refusal(description: "nested containers in arrays are not described; decode a type instead")
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw JSONSchemaReader.Refusal(description: "nested containers in arrays are not described; decode a type instead")
    }

    mutating func superDecoder() throws -> any Decoder { throw JSONSchemaReader.Refusal(description: "superDecoder is not described") }
}

private struct SingleReader: SingleValueDecodingContainer {
    let reader: JSONSchemaReader
    let node: SchemaNode
    var codingPath: [any CodingKey] = []

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try value(type) }
    func decode(_ type: Bool.Type) throws -> Bool { try value(type) }
    func decode(_ type: String.Type) throws -> String { try value(type) }
    func decode(_ type: Double.Type) throws -> Double { try value(type) }
    func decode(_ type: Float.Type) throws -> Float { try value(type) }
    func decode(_ type: Int.Type) throws -> Int { try value(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try value(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try value(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try value(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try value(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try value(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try value(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try value(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try value(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try value(type) }

    private func value<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, schema) = try reader.read(type)
        node.single = schema
        return value
    }
}

/// The field names each request body type reads, worked out once per type by the schema reader,
/// so refusing unknown fields and the API description agree on what a body may hold.
enum BodyFieldNames {
    private static let known = NIOLockedValueBox<[ObjectIdentifier: Set<String>]>([:])

    static func of<T: Decodable>(_ type: T.Type) -> Set<String> {
        if let names = known.withLockedValue({ $0[ObjectIdentifier(type)] }) { return names }
        // A type the reader cannot describe is one the API description would already refuse to
        // start with; an empty set here only turns the check off for it.
        let names = (try? JSONSchemaReader().fieldNames(of: type)) ?? []
        known.withLockedValue { $0[ObjectIdentifier(type)] = names }
        return names
    }
}
