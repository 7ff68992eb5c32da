import ArgumentParser
import AssureCore
import Foundation
import Vapor

/// `assure audit verify` walks the hash chain against the signed checkpoints and reports the
/// first broken link (non-zero exit); `assure audit checkpoint` signs where the trail stands.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with the tamper-evident audit trail.", subcommands: [AuditVerifyCommand.self, AuditCheckpointCommand.self])
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Checks every audit entry against the hash chain and the signed checkpoints; exits non-zero at the first broken link.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(help: "A checkpoint file exported earlier (assure audit checkpoint --out), kept away from the database.")
    var checkpoint: String?

    struct Summary: Encodable { var intact: Bool; var entries: Int64; var seconds: Double; var checkpoints: Int?; var headHash: String }

    func run() async throws {
        let output = output.output
        var extra: [AuditCheckpoint] = []
        if let file = checkpoint {
            guard let data = FileManager.default.contents(atPath: file), let checkpoint = try? JSONDecoder().decode(AuditCheckpoint.self, from: data) else {
                throw CommandFailure(message: "audit verify: \(file) is not a checkpoint file written by assure audit checkpoint --out")
            }
            extra.append(checkpoint)
        }
        try await CommandSession.run(storage) { [extra] app in
            let started = ContinuousClock.now
            let result = try await AuditCheckpoints.verify(on: app, extra: extra)
            let seconds = max((ContinuousClock.now - started).seconds, 1e-9)
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
            output.say("Audit trail intact: \(verifier.verified) entries verified in \(String(format: "%.2f", seconds)) s (\(rate) entries/s); \(checkpoints). Head hash \(verifier.lastHash)")
            try output.summary(Summary(intact: true, entries: verifier.verified, seconds: seconds, checkpoints: result.signed ? result.checkpoints : nil,
                                       headHash: verifier.lastHash))
        }
    }
}

struct AuditCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Signs where the audit trail stands now, keeps the checkpoint, logs it and optionally writes it to a file.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(help: "Also write the checkpoint to this file (keep it away from the database).")
    var out: String?

    func run() async throws {
        let (output, out) = (output.output, out)
        try await CommandSession.run(storage) { app in
            let checkpoint = try await AuditCheckpoints.write(on: app, now: app.clock.now())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let json = try encoder.encode(checkpoint)
            if let out { try WholeFile.write(json + Data("\n".utf8), to: out, command: "audit checkpoint") }
            output.say("Checkpoint signed: entry \(checkpoint.sequence), hash \(checkpoint.hash), key \(checkpoint.keyID)\(out.map { ", written to \($0)" } ?? "")")
            try output.summary(checkpoint)
        }
    }
}
