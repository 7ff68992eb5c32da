import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Someone who controls the database but not the server's key can recompute every hash and the
/// chain head; a signed checkpoint still catches them. What a checkpoint cannot catch is a change
/// after the latest one, or a change by someone holding the key (the README says so).
final class AuditCheckpointTests: XCTestCase {
    /// The attacker's rewrite: keep `keep` of the entries, renumber and rehash them, move the head.
    func rewrite(_ app: Application, keeping keep: ([AuditEntry]) -> [AuditEntry]) async throws {
        let sql = try app.db.sqlDatabase
        let kept = keep(try await AuditTrail.page(after: 0, limit: 100_000, on: sql))
        try await sql.raw("DELETE FROM audit_entries").run()
        var previous = AuditEntry.genesisHash
        for (index, var entry) in kept.enumerated() {
            entry.sequence = Int64(index + 1)
            entry.previousHash = previous
            entry.hash = entry.computedHash()
            previous = entry.hash
            try await sql.insert(into: "audit_entries")
                .columns("sequence", "recorded_at", "actor", "organisation_code", "action", "entity_type", "entity_id", "changes",
                         "request_id", "client_address", "previous_hash", "hash")
                .values(SQLBind(entry.sequence), SQLBind(entry.recordedAt), SQLBind(entry.actor), SQLBind(entry.organisationCode), SQLBind(entry.action),
                        SQLBind(entry.entityType), SQLBind(entry.entityID), SQLBind(entry.changes), SQLBind(entry.requestID), SQLBind(entry.clientAddress),
                        SQLBind(entry.previousHash), SQLBind(entry.hash)).run()
        }
        try await sql.raw("UPDATE audit_chain_head SET sequence = \(bind: Int64(kept.count)), hash = \(bind: previous) WHERE id = 1").run()
    }

    func testARewrittenTrailIsCaughtByASignedCheckpoint() async throws {
        let attacks: [(String, ([AuditEntry]) -> [AuditEntry], String)] = [
            ("an entry deleted and the rest rehashed", { entries in entries.enumerated().filter { $0.offset != 6 }.map(\.element) }, "signed checkpoint"),
            ("the head moved back", { entries in Array(entries.dropLast(3)) }, "signed checkpoint records entry"),
            ("the trail emptied", { _ in [] }, "signed checkpoint records entry"),
        ]
        for (name, attack, expected) in attacks {
            try await withAssure(demo: true) { app in
                let checkpoint = try await AuditCheckpoints.write(on: app, now: Date())
                XCTAssertEqual(checkpoint.sequence, 29)
                try await rewrite(app, keeping: attack)
                let unsigned = try await AuditTrail.verify(on: app.db)
                XCTAssertNil(unsigned.firstBreak, "\(name): the hash chain alone cannot see this")
                let result = try await AuditCheckpoints.verify(on: app, extra: [])
                let found = try XCTUnwrap(result.walk.firstBreak, name)
                XCTAssertTrue(found.description.contains(expected), "\(name): \(found)")
            }
        }
    }

    func testAnExportedCheckpointCatchesARewriteThatAlsoDeletedTheStoredOnes() async throws {
        try await withAssure(demo: true) { app in
            let exported = try await AuditCheckpoints.write(on: app, now: Date())
            try await rewrite(app) { entries in entries.enumerated().filter { $0.offset != 3 }.map(\.element) }
            try await app.db.sqlDatabase.raw("DELETE FROM audit_checkpoints").run()
            let alone = try await AuditCheckpoints.verify(on: app, extra: [])
            XCTAssertNil(alone.walk.firstBreak, "with the stored checkpoints gone, only an exported copy can tell")
            let withExport = try await AuditCheckpoints.verify(on: app, extra: [exported])
            XCTAssertNotNil(withExport.walk.firstBreak)
        }
    }

    func testACheckpointNotSignedByThisServersKeyIsReportedAndIgnored() async throws {
        try await withAssure(demo: true) { app in
            _ = try await AuditCheckpoints.write(on: app, now: Date())
            let other = try AuditSigner.generate().sign(sequence: 29, hash: String(repeating: "f", count: 64), signedAt: "2026-11-29T00:00:00Z")
            try await app.db.sqlDatabase.insert(into: "audit_checkpoints").columns("sequence", "hash", "signed_at", "key_id", "signature")
                .values(SQLBind(other.sequence), SQLBind(other.hash), SQLBind(other.signedAt), SQLBind(other.keyID), SQLBind(other.signature)).run()
            let result = try await AuditCheckpoints.verify(on: app, extra: [])
            XCTAssertEqual(result.forged.map(\.sequence), [29])
            XCTAssertNil(result.walk.firstBreak, "the genuine checkpoint still agrees")
            let path = AuditCheckpoints.keyPath(app.assureConfiguration)
            let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            XCTAssertEqual(permissions, 0o600, "the key file is readable by its owner only")
        }
    }
}
