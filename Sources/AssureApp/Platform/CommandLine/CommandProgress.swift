import AssureCore
import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Where a long job (an import, a seeding, a snapshot) says how far it has got: the command line's
/// progress bar, or nothing when the job runs inside the server.
protocol JobProgress: Sendable {
    /// A new stage (the next file, say), with its own total when it is known.
    func begin(_ stage: String, total: Int?)
    /// How many of the stage's total are done.
    func update(_ done: Int)
}

/// How far a long command has got, on standard error: a bar redrawn in place with counts and rate
/// when that is a terminal, and a plain line every few seconds when it is a log or a pipe (a bar's
/// carriage returns would fill a log with noise).
final class CommandProgress: JobProgress {
    private struct State {
        var label: String
        var total: Int?
        var done = 0
        var started = ContinuousClock.now
        var lastDrawn: ContinuousClock.Instant?
    }

    private let unit: String
    private let enabled: Bool
    private let terminal: Bool
    /// Writes exactly the text given (no newline added).
    private let write: @Sendable (String) -> Void
    private let state: NIOLockedValueBox<State>

    /// How often each form is redrawn.
    static let terminalInterval: Duration = .milliseconds(100)
    static let logInterval: Duration = .seconds(5)

    init(label: String, unit: String, total: Int?, enabled: Bool, terminal: Bool = isatty(STDERR_FILENO) != 0,
         write: @escaping @Sendable (String) -> Void) {
        self.unit = unit
        self.enabled = enabled
        self.terminal = terminal
        self.write = write
        self.state = NIOLockedValueBox(State(label: label, total: total))
    }

    func begin(_ label: String, total: Int?) {
        finish()
        state.withLockedValue { $0 = State(label: label, total: total) }
        if terminal { update(0) }
    }

    /// Drawn only as often as the form allows.
    func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLockedValue { state in
            state.done = done
            let interval = terminal ? Self.terminalInterval : Self.logInterval
            // A log's first line waits one interval, so a quick command leaves no progress in it.
            let since = state.lastDrawn ?? (terminal ? nil : state.started)
            if let since, now - since < interval { return nil }
            state.lastDrawn = now
            return describe(state, at: now)
        }
        if let line { write(terminal ? "\r\u{1B}[2K" + line : line + "\n") }
    }

    /// The final figures, when anything was drawn, and the end of the bar's line.
    func finish() {
        guard enabled else { return }
        let line: String? = state.withLockedValue { state in
            guard state.lastDrawn != nil else { return nil }
            state.lastDrawn = nil
            return describe(state, at: .now)
        }
        if let line { write(terminal ? "\r\u{1B}[2K" + line + "\n" : line + "\n") }
    }

    /// "Importing nvd-2024.json [########            ] 12,000 of 30,000 records, 4,100 a second".
    private func describe(_ state: State, at now: ContinuousClock.Instant) -> String {
        let elapsed = (now - state.started).components
        let seconds = max(Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, 0.001)
        let perSecond = Double(state.done) / seconds
        // Organisations go by a few a second, rows by thousands: a slow rate keeps its tenths.
        let rate = (perSecond < 10 ? String(format: "%.1f", perSecond) : Words.number(Int(perSecond))) + " a second"
        guard let total = state.total, total > 0 else {
            return state.done == 0 ? "\(state.label)…" : "\(state.label): \(Words.number(state.done)) \(unit), \(rate)"
        }
        let counts = "\(Words.number(min(state.done, total))) of \(Words.number(total)) \(unit), \(rate)"
        guard terminal else { return "\(state.label): \(counts)" }
        let width = 24, filled = min(width, state.done * width / total)
        return "\(state.label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(counts)"
    }
}
