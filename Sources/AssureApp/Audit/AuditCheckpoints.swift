import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Signed checkpoints of the audit trail: written by `assure audit checkpoint` and by each daily
/// snapshot, kept in the database, logged (so a log shipper holds a copy the database's owner
/// cannot edit) and exportable to a file; `audit verify` checks the chain against all of them.
enum AuditCheckpoints {
    static let table = "audit_checkpoints"

    /// The key: `ASSURE_AUDIT_KEY` (base64 of the 32-byte Ed25519 private key), else
    /// `audit-signing.key` in the data directory, made with mode 0600 when `create` is set.
    static func signer(_ configuration: AssureConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
                       create: Bool) throws -> AuditSigner? {
        if let value = environment["ASSURE_AUDIT_KEY"], !value.isEmpty {
            guard let raw = Data(base64Encoded: value), let signer = try? AuditSigner(rawKey: raw) else {
                throw CommandFailure(message: "ASSURE_AUDIT_KEY must be the base64 of a 32-byte Ed25519 private key")
            }
            return signer
        }
        let path = keyPath(configuration)
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), let signer = try? AuditSigner(rawKey: raw) else {
                throw CommandFailure(message: "\(path) does not hold an audit signing key")
            }
            return signer
        }
        guard create else { return nil }
        let signer = AuditSigner.generate()
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(signer.rawKey.base64EncodedString().utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(message: "cannot write the audit signing key to \(path)")
        }
        return signer
    }

    static func keyPath(_ configuration: AssureConfiguration) -> String {
        (configuration.dataDirectory as NSString).appendingPathComponent("audit-signing.key")
    }

    /// Signs where the trail stands now, keeps the checkpoint and logs it.
    static func write(on app: Application, now: Date) async throws -> AuditCheckpoint {
        guard let signer = try signer(app.assureConfiguration, create: true) else { throw CommandFailure(message: "no audit signing key") }
        let sql = try app.db.sqlDatabase
        let head = try await sql.raw("SELECT sequence, hash FROM audit_chain_head WHERE id = 1").first()
        let checkpoint = try signer.sign(sequence: try head?.decode(column: "sequence", as: Int64.self) ?? 0,
                                         hash: try head?.decode(column: "hash", as: String.self) ?? AuditEntry.genesisHash,
                                         signedAt: AuditEntry.timestamp(now))
        try await sql.insert(into: table).columns("sequence", "hash", "signed_at", "key_id", "signature")
            .values(SQLBind(checkpoint.sequence), SQLBind(checkpoint.hash), SQLBind(checkpoint.signedAt), SQLBind(checkpoint.keyID), SQLBind(checkpoint.signature))
            .run()
        let json = String(decoding: try JSONEncoder().encode(checkpoint), as: UTF8.self)
        app.logger.notice("audit-checkpoint \(json)")
        return checkpoint
    }

    static func stored(on database: any Database) async throws -> [AuditCheckpoint] {
        try await database.sqlDatabase.raw("SELECT sequence, hash, signed_at, key_id, signature FROM audit_checkpoints ORDER BY sequence").all().map { row in
            AuditCheckpoint(sequence: try row.decode(column: "sequence", as: Int64.self), hash: try row.decode(column: "hash", as: String.self),
                            signedAt: try row.decode(column: "signed_at", as: String.self), keyID: try row.decode(column: "key_id", as: String.self),
                            signature: try row.decode(column: "signature", as: String.self))
        }
    }

    /// What `audit verify` found: the walk, and any checkpoint not signed by this server's key.
    struct Verification {
        var walk: AuditChainVerifier
        var checkpoints: Int
        var forged: [AuditCheckpoint]
        var signed: Bool
    }

    /// Walks the chain against every checkpoint (stored and `extra`) whose signature holds.
    static func verify(on app: Application, extra: [AuditCheckpoint]) async throws -> Verification {
        let all = try await stored(on: app.db) + extra
        let signer = try signer(app.assureConfiguration, create: false)
        var trusted: [Int64: String] = [:]
        var forged: [AuditCheckpoint] = []
        for checkpoint in all {
            if let signer, !checkpoint.isSigned(by: signer) { forged.append(checkpoint); continue }
            trusted[checkpoint.sequence] = checkpoint.hash
        }
        let walk = try await AuditTrail.verify(on: app.db, checkpoints: signer == nil ? [:] : trusted)
        return Verification(walk: walk, checkpoints: trusted.count, forged: forged, signed: signer != nil)
    }
}

struct CreateAuditCheckpoints: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_checkpoints")
            .field("sequence", .int64, .required)
            .field("hash", .string, .required)
            .field("signed_at", .string, .required)
            .field("key_id", .string, .required)
            .field("signature", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_checkpoints").delete()
    }
}
