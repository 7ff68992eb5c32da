import AssureCore
import Foundation

/// The permission function runs on every request: target < 1 µs per check.
enum AccessBenchmarks {
    static func run() {
        // A realistic person: manager at a trust, viewer at another, oversight at their ICB.
        let memberships = [
            Membership(organisation: "T91", role: .manager),
            Membership(organisation: "T92", role: .viewer),
            Membership(organisation: "Q9A", role: .oversight),
        ]
        let targets: [(String, [String])] = [("T91", ["Q9A", "Y99"]), ("T93", ["Q9A", "Y99"]), ("T94", ["Q9B", "Y99"]), ("Z99001", ["Q9A", "Y99"])]
        let actions: [Actions] = [.read, .editAnyRecord, .readRollUp, .manageMemberships]
        let checks = 10_000_000
        var allowed = 0
        let started = ContinuousClock.now
        for index in 0..<checks {
            let (target, ancestors) = targets[index & 3]
            if AccessPolicy.allows(memberships, actions[(index >> 2) & 3], on: target, ancestors: ancestors) { allowed += 1 }
        }
        let elapsed = ContinuousClock.now - started
        let nanoseconds = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(checks)
        print(String(format: "Permission check: %.1f ns each over %d checks (%d allowed) — target < 1 µs", nanoseconds, checks, allowed))
    }
}
