import AssureCore
import Foundation
import Vapor

/// `assure audit verify` walks the hash chain against the signed checkpoints and reports the
/// first broken link (non-zero exit); `assure audit checkpoint` signs where the trail stands.
struct AuditCommand: AsyncCommandGroup {
    var help: String { "Work with the tamper-evident audit trail" }
    var commands: [String: any AnyAsyncCommand] { ["verify": AuditVerifyCommand(), "checkpoint": AuditCheckpointCommand()] }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "checkpoint", help: "A checkpoint file exported earlier (assure audit checkpoint --out), kept away from the database")
        var checkpoint: String?
    }

    var help: String { "Checks every audit entry against the hash chain and the signed checkpoints; exits non-zero at the first broken link." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await AssureStartup.requireCurrentSchema(context.application)
        var extra: [AuditCheckpoint] = []
        if let file = signature.checkpoint {
            guard let data = FileManager.default.contents(atPath: file), let checkpoint = try? JSONDecoder().decode(AuditCheckpoint.self, from: data) else {
                throw CommandFailure(message: "audit verify: \(file) is not a checkpoint file written by assure audit checkpoint --out")
            }
            extra.append(checkpoint)
        }
        let started = ContinuousClock.now
        let result = try await AuditCheckpoints.verify(on: context.application, extra: extra)
        let seconds = max((ContinuousClock.now - started) / .seconds(1), 1e-9)
        if let forged = result.forged.first {
            throw CommandFailure(message: "audit verify: the audit trail is BROKEN: the checkpoint for entry \(forged.sequence) is not signed by this server's key (forged, or from another server).")
        }
        if !result.signed, !extra.isEmpty {
            throw CommandFailure(message: "audit verify: no audit signing key (ASSURE_AUDIT_KEY or the data directory's audit-signing.key), so the checkpoint cannot be checked.")
        }
        let verifier = result.walk
        if let broken = verifier.firstBreak {
            throw CommandFailure(message: "audit verify: the audit trail is BROKEN: \(broken). \(verifier.verified) entries before it are intact.")
        }
        let rate = Int(Double(verifier.verified) / seconds)
        let checkpoints = result.signed ? "\(Words.count(result.checkpoints, "signed checkpoint")) agree" : "no signing key here, so checkpoints were not checked"
        context.console.print("Audit trail intact: \(verifier.verified) entries verified in \(String(format: "%.2f", seconds)) s (\(rate) entries/s); \(checkpoints). Head hash \(verifier.lastHash)")
    }
}

struct AuditCheckpointCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "out", help: "Also write the checkpoint to this file (keep it away from the database)")
        var out: String?
    }

    var help: String { "Signs where the audit trail stands now, keeps the checkpoint, logs it and optionally writes it to a file" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await AssureStartup.requireCurrentSchema(context.application)
        let checkpoint = try await AuditCheckpoints.write(on: context.application, now: context.application.clock.now())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(checkpoint)
        if let out = signature.out { try WholeFile.write(json + Data("\n".utf8), to: out, command: "audit checkpoint") }
        context.console.print("Checkpoint signed: entry \(checkpoint.sequence), hash \(checkpoint.hash), key \(checkpoint.keyID)\(signature.out.map { ", written to \($0)" } ?? "")")
    }
}
