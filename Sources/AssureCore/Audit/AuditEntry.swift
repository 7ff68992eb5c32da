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

    /// The exact text that is hashed: fields in a fixed order, as a JSON array, so a change to
    /// any field (or to where one field ends and the next begins) changes the hash.
    public var canonicalForm: String {
        let fields: [Any] = [
            sequence, recordedAt, actor, organisationCode ?? NSNull(), action, entityType, entityID, changes,
            requestID ?? NSNull(), clientAddress ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// SHA-256 over the previous hash and this entry's canonical form, as lower-case hex.
    public func computedHash() -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previousHash.utf8))
        hasher.update(data: Data([0x0A]))
        hasher.update(data: Data(canonicalForm.utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
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

    public init(actor: String, organisationCode: String?, action: String, entityType: String, entityID: String,
                changes: [String: FieldChange], requestID: String?, clientAddress: String?) {
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
    public func chained(sequence: Int64, at date: Date, after previousHash: String) -> AuditEntry {
        var entry = AuditEntry(
            sequence: sequence, recordedAt: AuditEntry.timestamp(date), actor: actor, organisationCode: organisationCode,
            action: action, entityType: entityType, entityID: entityID, changes: Self.canonicalJSON(changes),
            requestID: requestID, clientAddress: clientAddress, previousHash: previousHash, hash: ""
        )
        entry.hash = entry.computedHash()
        return entry
    }

    static func canonicalJSON(_ changes: [String: FieldChange]) -> String {
        let object = changes.mapValues { ["before": $0.before ?? NSNull(), "after": $0.after ?? NSNull()] as [String: Any] }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
