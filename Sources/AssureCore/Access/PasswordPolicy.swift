import Foundation

/// Passwords as the NCSC advises: long enough (12 characters or more), not on a list of
/// passwords attackers try first, and no composition rules (no forced digits or symbols).
public enum PasswordPolicy {
    public static let minimumLength = 12
    /// bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused.
    public static let maximumBytes = 72

    public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Checks a new password; `personal` holds words it must not be (the email, its local part, the name).
    public static func check(_ password: String, personal: [String] = []) throws(Rejection) {
        guard password.count >= minimumLength else {
            throw Rejection(message: "Use at least \(minimumLength) characters. Three random words make a strong, memorable password.")
        }
        guard password.utf8.count <= maximumBytes else {
            throw Rejection(message: "Use at most \(maximumBytes) bytes (about \(maximumBytes) letters).")
        }
        let folded = fold(password)
        if Set(folded).count <= 2 {
            throw Rejection(message: "Do not repeat the same one or two characters; choose three random words instead.")
        }
        if isCommon(folded) || isKeyboardWalk(folded) || isSequence(folded) {
            throw Rejection(message: "This password is one that attackers try first. Choose something less common.")
        }
        for word in personal.map(fold) where word.count >= 4 && (folded == word || folded.contains(word) && folded.count - word.count < 4) {
            throw Rejection(message: "Do not base the password on your name or email address.")
        }
    }

    /// Lower-case, without spaces, so "Password 1234" and "password1234" are the same guess.
    private static func fold(_ text: String) -> String {
        text.lowercased().filter { !$0.isWhitespace }
    }

    /// On the list, or a listed word with up to six digits or symbols around it ("password1234",
    /// "!!liverpool2024") or typed twice — how people stretch a common password to a length rule.
    static func isCommon(_ folded: String) -> Bool {
        if commonPasswords.contains(folded) { return true }
        let padding: (Character) -> Bool = { !$0.isLetter }
        let core = String(folded.drop(while: padding).reversed().drop(while: padding).reversed())
        if core.count >= 4, folded.count - core.count <= 6, commonPasswords.contains(core) { return true }
        // A listed word typed twice ("sunshinesunshine").
        let half = core.count / 2
        return core.count.isMultiple(of: 2) && half >= 4 && core.prefix(half) == core.suffix(half) && commonPasswords.contains(String(core.prefix(half)))
    }

    /// Runs of the alphabet or the digits, either way round ("defghijklmno", "987654321098").
    static func isSequence(_ text: String) -> Bool {
        let runs = ["1234567890", "abcdefghijklmnopqrstuvwxyz"].flatMap { [$0, String($0.reversed())] }
        return runs.map { String(repeating: $0, count: 4) }.contains { $0.contains(text) }
    }

    /// Keys as they sit on a UK keyboard, by row, for walks such as "qwertyuiopas" or "1qaz2wsx3edc".
    private static let keyRows = ["1234567890-=", "qwertyuiop[]", "asdfghjkl;'#", "zxcvbnm,./"]
    private static let keyPositions: [Character: (row: Int, column: Int)] = {
        var positions: [Character: (Int, Int)] = [:]
        for (row, keys) in keyRows.enumerated() { for (column, key) in keys.enumerated() { positions[key] = (row, column) } }
        return positions
    }()

    /// Three quarters or more of its steps go to the same or a neighbouring key.
    static func isKeyboardWalk(_ folded: String) -> Bool {
        let keys = folded.compactMap { keyPositions[$0] }
        guard keys.count == folded.count, keys.count >= 2 else { return false }
        let near = zip(keys, keys.dropFirst()).filter { abs($0.row - $1.row) <= 1 && abs($0.column - $1.column) <= 1 }.count
        return Double(near) >= 0.75 * Double(keys.count - 1)
    }

    /// The list of passwords attackers try first (see Resources/common-passwords.README.md).
    static let commonPasswords: Set<String> = Set(
        String(decoding: PackageResources.common_passwords_txt, as: UTF8.self).split(separator: "\n").map { String($0) }
    )
}

/// Back-off after failed sign-ins, per account and per client address: the first few failures
/// cost nothing (people mistype), then each further failure doubles the wait, up to 15 minutes.
/// The count slides: one failure is forgiven for every five minutes without one, so a busy site's
/// occasional typos never build up to a lock-out, and a success clears it.
public enum SignInThrottle {
    public static let freeFailures = 5
    public static let longestWait: Duration = .seconds(15 * 60)
    public static let forgivenEvery: TimeInterval = 5 * 60

    /// How long after the latest failure the next attempt must wait.
    public static func wait(afterFailures failures: Int) -> Duration {
        guard failures >= freeFailures else { return .zero }
        let doublings = min(failures - freeFailures, 10)
        return min(.seconds(1 << doublings), longestWait)
    }

    /// Whether an attempt now must be refused, and for how much longer.
    public static func refusal(failures: Int, lastFailure: Date?, now: Date) -> Duration? {
        guard let lastFailure else { return nil }
        let wait = wait(afterFailures: failures)
        let elapsed = Duration.milliseconds(Int64(now.timeIntervalSince(lastFailure) * 1000))
        return elapsed < wait ? wait - elapsed : nil
    }

    /// The failures that still count now, after forgiving the quiet time since the last one.
    public static func counting(failures: Int, lastFailure: Date?, now: Date) -> Int {
        guard let lastFailure else { return 0 }
        let forgiven = Int(max(0, now.timeIntervalSince(lastFailure)) / forgivenEvery)
        return max(0, failures - forgiven)
    }

    public enum Attempt: Equatable, Sendable {
        /// Go ahead; until it succeeds the attempt counts as this many failures.
        case allowed(countingAsFailures: Int)
        case refused(wait: Duration)
    }

    /// An attempt is claimed before the password is checked, so attempts made at the same moment
    /// see each other and each counts as a failure until it succeeds.
    public static func attempt(failures: Int, lastFailure: Date?, now: Date) -> Attempt {
        if let wait = refusal(failures: failures, lastFailure: lastFailure, now: now) { return .refused(wait: wait) }
        return .allowed(countingAsFailures: counting(failures: failures, lastFailure: lastFailure, now: now) + 1)
    }
}
