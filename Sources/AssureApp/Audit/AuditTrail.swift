import AssureCore
import Fluent
import Foundation
import SQLKit
import SQLiteNIO
import PostgresNIO
import Vapor

/// Who is acting and from where, carried from the request (or command) to the audit trail.
struct AuditContext: Sendable {
    var actor: String
    var requestID: String?
    var clientAddress: String?
    /// The application's clock, so a change is recorded at the time the rest of Assure sees.
    var clock: AssureClock

    static func command(_ name: String, clock: AssureClock) -> AuditContext {
        AuditContext(actor: "command:\(name)", requestID: nil, clientAddress: nil, clock: clock)
    }

    /// The same request and address, acting as someone else (a person setting their own password
    /// through a link, signing in, linking single sign-on).
    func acting(as actor: String) -> AuditContext { AuditContext(actor: actor, requestID: requestID, clientAddress: clientAddress, clock: clock) }

    /// The one way an audit event is built: this actor, request and address, and what changed.
    func event(_ action: String, _ entityType: String, _ entityID: String, organisation: String?,
               changes: [String: AuditEvent.FieldChange] = [:]) -> AuditEvent {
        AuditEvent(actor: actor, organisationCode: organisation, action: action, entityType: entityType, entityID: entityID,
                   changes: changes, requestID: requestID, clientAddress: clientAddress, recordedAt: clock.now())
    }
}

extension Request {
    /// The signed-in person's email address, or `anonymous`.
    var auditContext: AuditContext {
        AuditContext(actor: identity?.email ?? "anonymous", requestID: id, clientAddress: clientAddress, clock: application.clock)
    }
}

/// Appends to the hash-chained audit trail inside the caller's transaction, so a change and its
/// record commit together or not at all. The single-row chain head is updated first, which takes
/// the write lock (a row lock on PostgreSQL), so concurrent appends from several instances queue.
public enum AuditTrail {
    static let entries = "audit_entries"
    static let head = "audit_chain_head"

    /// Each entry keeps the time its event was made (`AuditContext.event`, on the application's clock).
    public static func append(_ events: [AuditEvent], on database: any Database) async throws {
        guard !events.isEmpty else { return }
        let sql = try database.sqlDatabase
        try await sql.raw("UPDATE audit_chain_head SET sequence = sequence + \(bind: Int64(events.count)) WHERE id = 1").run()
        guard let row = try await sql.raw("SELECT sequence, hash FROM audit_chain_head WHERE id = 1").first() else {
            throw Abort(.internalServerError, reason: "The audit chain head is missing")
        }
        let last = try row.decode(column: "sequence", as: Int64.self)
        var previous = try row.decode(column: "hash", as: String.self)
        var sequence = last - Int64(events.count)
        var chained: [AuditEntry] = []
        chained.reserveCapacity(events.count)
        for event in events {
            sequence += 1
            let entry = event.chained(sequence: sequence, after: previous)
            chained.append(entry)
            previous = entry.hash
        }
        for start in stride(from: 0, to: chained.count, by: 400) {
            let insert = sql.insert(into: entries).columns(
                "sequence", "recorded_at", "actor", "organisation_code", "action", "entity_type", "entity_id",
                "changes", "request_id", "client_address", "previous_hash", "hash"
            )
            for entry in chained[start..<min(start + 400, chained.count)] {
                insert.values([
                    SQLBind(entry.sequence), SQLBind(entry.recordedAt), SQLBind(entry.actor), SQLBind(entry.organisationCode),
                    SQLBind(entry.action), SQLBind(entry.entityType), SQLBind(entry.entityID), SQLBind(entry.changes),
                    SQLBind(entry.requestID), SQLBind(entry.clientAddress), SQLBind(entry.previousHash), SQLBind(entry.hash),
                ])
            }
            try await insert.run()
        }
        try await sql.raw("UPDATE audit_chain_head SET hash = \(bind: previous) WHERE id = 1").run()
    }

    /// Reads entries after `sequence`, oldest first, a page at a time.
    public static func page(after sequence: Int64, limit: Int, on sql: any SQLDatabase) async throws -> [AuditEntry] {
        try await sql.raw("""
            SELECT \(unsafeRaw: columns) FROM audit_entries WHERE sequence > \(bind: sequence) ORDER BY sequence LIMIT \(bind: limit)
            """).all().map(entry(from:))
    }

    static func entry(from row: any SQLRow) throws -> AuditEntry {
        if let row = row as? SQLiteRow { return try entry(fromSQLite: row) }
        return AuditEntry(
            sequence: try row.decode(column: "sequence", as: Int64.self),
            recordedAt: try row.decode(column: "recorded_at", as: String.self),
            actor: try row.decode(column: "actor", as: String.self),
            organisationCode: try row.decode(column: "organisation_code", as: String?.self),
            action: try row.decode(column: "action", as: String.self),
            entityType: try row.decode(column: "entity_type", as: String.self),
            entityID: try row.decode(column: "entity_id", as: String.self),
            changes: try row.decode(column: "changes", as: String.self),
            requestID: try row.decode(column: "request_id", as: String?.self),
            clientAddress: try row.decode(column: "client_address", as: String?.self),
            previousHash: try row.decode(column: "previous_hash", as: String.self),
            hash: try row.decode(column: "hash", as: String.self)
        )
    }

    /// Walks the whole trail and compares its end with the chain head.
    public static func verify(on database: any Database, checkpoints: [Int64: String] = [:], pageSize: Int = 5_000) async throws -> AuditChainVerifier {
        let sql = try database.sqlDatabase
        let head = try await sql.raw("SELECT sequence, hash FROM audit_chain_head WHERE id = 1").first()
        let headSequence = try head?.decode(column: "sequence", as: Int64.self) ?? 0
        let headHash = try head?.decode(column: "hash", as: String.self) ?? AuditEntry.genesisHash
        let highest = try await sql.raw("SELECT max(sequence) AS highest FROM audit_entries").first()?
            .decode(column: "highest", as: Int64?.self) ?? 0
        let last = max(headSequence, highest)
        if let postgres = database as? any PostgresDatabase {
            var verifier = try await streamFromPostgres(postgres, checkpoints: checkpoints)
            verifier.finish(headSequence: headSequence, headHash: headHash)
            return verifier
        }
        var verifier = AuditChainVerifier(checkpoints: checkpoints)
        // Pages are ranges of sequence numbers, so two can be read at once (on two connections)
        // while the page before them is checked. A missing number shows up as a break.
        var nextStart: Int64 = 1
        var inFlight: [Task<[AuditEntry], any Error>] = []
        func fetchNext() {
            guard nextStart <= last else { return }
            let range = nextStart...(nextStart + Int64(pageSize) - 1)
            nextStart += Int64(pageSize)
            inFlight.append(Task { try await page(in: range, on: sql) })
        }
        fetchNext()
        fetchNext()
        while !inFlight.isEmpty {
            let entries = try await inFlight.removeFirst().value
            guard verifier.firstBreak == nil else { continue }
            fetchNext()
            entries.forEach { verifier.check($0) }
        }
        inFlight.forEach { $0.cancel() }
        verifier.finish(headSequence: headSequence, headHash: headHash)
        return verifier
    }

    /// PostgreSQL streams the whole trail over one connection: the event loop decodes rows as
    /// they arrive while this task checks them, with no per-page round trips.
    static func streamFromPostgres(_ postgres: any PostgresDatabase, checkpoints: [Int64: String]) async throws -> AuditChainVerifier {
        let logger = postgres.logger
        return try await postgres.withConnection { connection in
            let promise = connection.eventLoop.makePromise(of: AuditChainVerifier.self)
            promise.completeWithTask {
                var verifier = AuditChainVerifier(checkpoints: checkpoints)
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(columns) FROM audit_entries ORDER BY sequence"), logger: logger)
                for try await row in rows {
                    verifier.check(try entry(fromPostgres: row))
                    if verifier.firstBreak != nil { break }
                }
                return verifier
            }
            return promise.futureResult
        }.get()
    }

    static func page(in range: ClosedRange<Int64>, on sql: any SQLDatabase) async throws -> [AuditEntry] {
        try await sql.raw("""
            SELECT \(unsafeRaw: columns) FROM audit_entries
            WHERE sequence >= \(bind: range.lowerBound) AND sequence <= \(bind: range.upperBound) ORDER BY sequence
            """).all().map(entry(from:))
    }

    static let columns = """
        sequence, recorded_at, actor, organisation_code, action, entity_type, entity_id, changes,
        request_id, client_address, previous_hash, hash
        """
}

/// `audit verify` reads every entry; on SQLite, taking the values straight from the row is several
/// times faster than SQLKit's generic decoding, and that is what keeps verify above 200,000 entries/s.
extension AuditTrail {
    static func entry(fromSQLite row: SQLiteRow) throws -> AuditEntry {
        func text(_ column: String) throws -> String {
            guard case .text(let value)? = row.column(column) else { throw AuditReadError(column: column) }
            return value
        }
        func optionalText(_ column: String) throws -> String? {
            switch row.column(column) {
            case .text(let value)?: return value
            case .null?: return nil
            default: throw AuditReadError(column: column)
            }
        }
        guard case .integer(let sequence)? = row.column("sequence") else { throw AuditReadError(column: "sequence") }
        return AuditEntry(
            sequence: Int64(sequence), recordedAt: try text("recorded_at"), actor: try text("actor"),
            organisationCode: try optionalText("organisation_code"), action: try text("action"), entityType: try text("entity_type"),
            entityID: try text("entity_id"), changes: try text("changes"), requestID: try optionalText("request_id"),
            clientAddress: try optionalText("client_address"), previousHash: try text("previous_hash"), hash: try text("hash")
        )
    }
}

extension AuditTrail {
    /// The PostgreSQL counterpart: decode the row by position into typed values in one call.
    /// Relies on the column order of `columns`.
    static func entry(fromPostgres row: PostgresRow) throws -> AuditEntry {
        let (sequence, recordedAt, actor, organisation, action, entityType, entityID, changes, requestID, client, previous, hash) =
            try row.decode((Int64, String, String, String?, String, String, String, String, String?, String?, String, String).self)
        return AuditEntry(
            sequence: sequence, recordedAt: recordedAt, actor: actor, organisationCode: organisation, action: action,
            entityType: entityType, entityID: entityID, changes: changes, requestID: requestID, clientAddress: client,
            previousHash: previous, hash: hash
        )
    }
}

struct AuditReadError: Error, CustomStringConvertible {
    let column: String
    var description: String { "An audit entry has an unexpected value in \(column)" }
}

struct CreateAuditTrail: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditTrail.entries)
            .field("sequence", .int64, .required)
            .field("recorded_at", .string, .required)
            .field("actor", .string, .required)
            .field("organisation_code", .string)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("changes", .string, .required)
            .field("request_id", .string)
            .field("client_address", .string)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "sequence")
            .create()
        try await database.schema(AuditTrail.head)
            .field("id", .int, .required)
            .field("sequence", .int64, .required)
            .field("hash", .string, .required)
            .unique(on: "id")
            .create()
        let sql = try database.sqlDatabase
        try await sql.create(index: "audit_entries_organisation_idx").on(AuditTrail.entries).column("organisation_code").column("sequence").run()
        try await sql.insert(into: AuditTrail.head).columns("id", "sequence", "hash")
            .values(SQLBind(1), SQLBind(Int64(0)), SQLBind(AuditEntry.genesisHash)).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditTrail.head).delete()
        try await database.schema(AuditTrail.entries).delete()
    }
}
