import Crypto
import Foundation

/// One fact in the audit trail: who did what to which record, when, from where, and what changed.
/// Entries form a hash chain: each stores SHA-256 over the previous entry's hash and its own
/// canonical form, so editing, deleting or reordering any entry breaks every hash after it.
public struct AuditEntry: Equatable, Sendable {
    public var sequence: Int64
    /// ISO 8601 in UTC with milliseconds, stored as text so every database returns it unchanged.
    public var recordedAt: String
    public var actor: String
    public var organisationCode: String?
    public var action: String
    public var entityType: String
    public var entityID: String
    /// Canonical JSON of the changed fields: `{"field":{"before":…,"after":…}}`, keys sorted.
    public var changes: String
    public var requestID: String?
    public var clientAddress: String?
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, recordedAt: String, actor: String, organisationCode: String?, action: String, entityType: String,
                entityID: String, changes: String, requestID: String?, clientAddress: String?, previousHash: String, hash: String) {
        self.sequence = sequence
        self.recordedAt = recordedAt
        self.actor = actor
        self.organisationCode = organisationCode
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.changes = changes
        self.requestID = requestID
        self.clientAddress = clientAddress
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash of the entry before the first.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The exact bytes that are hashed: the fields in a fixed order as a JSON array, strings
    /// escaped per RFC 8259 (only `"`, `\\` and U+0000–U+001F, the last as `\\u00xx`), no spaces.
    /// A change to any field, or to where one field ends and the next begins, changes the hash.
    /// Written by hand rather than with a JSON library because its output must never change.
    public var canonicalForm: String { String(decoding: canonicalBytes(), as: UTF8.self) }

    func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + changes.utf8.count)
        out.append(UInt8(ascii: "["))
        out.append(contentsOf: String(sequence).utf8)
        for field in [recordedAt, actor, organisationCode, action, entityType, entityID, changes, requestID, clientAddress] {
            out.append(UInt8(ascii: ","))
            Self.appendJSON(field, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    static func appendJSON(_ value: String?, to out: inout [UInt8]) {
        guard let value else { return out.append(contentsOf: "null".utf8) }
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// SHA-256 over the previous hash, a newline and this entry's canonical form, as lower-case hex.
    public func computedHash() -> String {
        var input: [UInt8] = Array(previousHash.utf8)
        input.append(0x0A)
        input.append(contentsOf: canonicalBytes())
        return Self.hex(SHA256.hash(data: input))
    }

    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex, written directly into the string's storage (this runs once per entry in `audit verify`).
    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(64)
        for byte in bytes {
            utf8.append(hexDigits[Int(byte >> 4)])
            utf8.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

}

/// What an audited change is, before it is placed in the chain.
public struct AuditEvent: Equatable, Sendable {
    public var actor: String
    public var organisationCode: String?
    public var action: String
    public var entityType: String
    public var entityID: String
    public var changes: [String: FieldChange]
    public var requestID: String?
    public var clientAddress: String?
    /// When the change was made, from the caller's clock.
    public var recordedAt: Date

    public init(actor: String, organisationCode: String?, action: String, entityType: String, entityID: String,
                changes: [String: FieldChange], requestID: String?, clientAddress: String?, recordedAt: Date) {
        self.recordedAt = recordedAt
        self.actor = actor
        self.organisationCode = organisationCode
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.changes = changes
        self.requestID = requestID
        self.clientAddress = clientAddress
    }

    public struct FieldChange: Equatable, Sendable {
        public var before: String?
        public var after: String?
        public init(before: String?, after: String?) {
            self.before = before
            self.after = after
        }
    }

    /// The fields whose values differ, each with before and after; unchanged fields are left out.
    public static func difference(before: [String: String?], after: [String: String?]) -> [String: FieldChange] {
        var changes: [String: FieldChange] = [:]
        for key in Set(before.keys).union(after.keys) {
            let old = before[key] ?? nil
            let new = after[key] ?? nil
            if old != new { changes[key] = FieldChange(before: old, after: new) }
        }
        return changes
    }

    /// Places the event after `previousHash` as entry number `sequence`.
    public func chained(sequence: Int64, after previousHash: String) -> AuditEntry {
        var entry = AuditEntry(
            sequence: sequence, recordedAt: AuditEntry.timestamp(recordedAt), actor: actor, organisationCode: organisationCode,
            action: action, entityType: entityType, entityID: entityID, changes: Self.canonicalJSON(changes),
            requestID: requestID, clientAddress: clientAddress, previousHash: previousHash, hash: ""
        )
        entry.hash = entry.computedHash()
        return entry
    }

    /// `{"field":{"after":…,"before":…}}`, keys sorted, written directly: Foundation's
    /// JSONSerialization costs over a hundred microseconds an entry, which bulk imports feel.
    static func canonicalJSON(_ changes: [String: FieldChange]) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, key) in changes.keys.sorted().enumerated() {
            let change = changes[key]!
            if index > 0 { out.append(UInt8(ascii: ",")) }
            AuditEntry.appendJSON(key, to: &out)
            out.append(contentsOf: #":{"after":"#.utf8)
            AuditEntry.appendJSON(change.after, to: &out)
            out.append(contentsOf: #","before":"#.utf8)
            AuditEntry.appendJSON(change.before, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
