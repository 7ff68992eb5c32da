import Crypto
import Foundation

/// A signed statement of where the audit trail stood: "entry N has hash H", signed with an
/// Ed25519 key kept outside the database. Someone who can rewrite the database but does not hold
/// the key can recompute every hash and the chain head, but cannot make a chain that still agrees
/// with a checkpoint signed before their change, nor sign a new checkpoint.
public struct AuditCheckpoint: Codable, Equatable, Sendable {
    public var sequence: Int64
    public var hash: String
    /// ISO 8601, UTC.
    public var signedAt: String
    /// Which key signed it: the first 16 hex digits of the SHA-256 of the public key.
    public var keyID: String
    /// Base64 Ed25519 signature of `message`.
    public var signature: String

    public init(sequence: Int64, hash: String, signedAt: String, keyID: String, signature: String) {
        self.sequence = sequence
        self.hash = hash
        self.signedAt = signedAt
        self.keyID = keyID
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case sequence, hash, signedAt = "signed_at", keyID = "key_id", signature
    }

    public var message: Data { Data("assure-audit-checkpoint-v1\n\(sequence)\n\(hash)\n\(signedAt)".utf8) }

    public func isSigned(by signer: AuditSigner) -> Bool {
        guard keyID == signer.keyID, let signature = Data(base64Encoded: signature) else { return false }
        return signer.key.publicKey.isValidSignature(signature, for: message)
    }
}

/// The server's Ed25519 key for audit checkpoints. It lives outside the database (the data
/// directory or the environment), so rewriting the database does not give it away.
public struct AuditSigner: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init(rawKey: Data) throws { key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey) }
    public static func generate() -> AuditSigner { AuditSigner(key: Curve25519.Signing.PrivateKey()) }
    private init(key: Curve25519.Signing.PrivateKey) { self.key = key }

    public var rawKey: Data { key.rawRepresentation }
    /// Base64 of the public key, to give to auditors who check exported checkpoints.
    public var publicKey: String { key.publicKey.rawRepresentation.base64EncodedString() }
    /// The first 16 hex digits of the SHA-256 of the public key.
    public var keyID: String { SHA256.hash(data: key.publicKey.rawRepresentation).prefix(8).map { String(format: "%02x", $0) }.joined() }

    public func sign(sequence: Int64, hash: String, signedAt: String) throws -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(sequence: sequence, hash: hash, signedAt: signedAt, keyID: keyID, signature: "")
        checkpoint.signature = try key.signature(for: checkpoint.message).base64EncodedString()
        return checkpoint
    }
}
