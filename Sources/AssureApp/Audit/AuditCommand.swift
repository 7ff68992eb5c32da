import Foundation
import Vapor

/// `assure audit verify`: walks the hash chain and reports the first broken link (non-zero exit).
struct AuditCommand: AsyncCommandGroup {
    var help: String { "Work with the tamper-evident audit trail" }
    var commands: [String: any AnyAsyncCommand] { ["verify": AuditVerifyCommand()] }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Checks every audit entry against the hash chain; exits non-zero at the first broken link." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await AssureStartup.requireCurrentSchema(context.application)
        let started = ContinuousClock.now
        let verifier = try await AuditTrail.verify(on: context.application.db)
        let seconds = max((ContinuousClock.now - started) / .seconds(1), 1e-9)
        if let broken = verifier.firstBreak {
            throw CommandFailure(message: "audit verify: the audit trail is BROKEN: \(broken). \(verifier.verified) entries before it are intact.")
        }
        let rate = Int(Double(verifier.verified) / seconds)
        context.console.print("Audit trail intact: \(verifier.verified) entries verified in \(String(format: "%.2f", seconds)) s (\(rate) entries/s). Head hash \(verifier.lastHash)")
    }
}
