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
        if commonPasswords.contains(folded) || isSequence(folded) {
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

    /// Runs like "123456789012", "abcdefghijkl", "qwertyuiopas" are guessed first.
    private static func isSequence(_ text: String) -> Bool {
        let rows = ["1234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "0987654321"]
        let repeated = rows.map { String(repeating: $0, count: 4) }
        return repeated.contains { $0.contains(text) }
    }

    /// Passwords of 12 or more characters that appear at the top of breached-password lists, and
    /// NHS-flavoured guesses. The length rule already excludes the shorter common passwords.
    static let commonPasswords: Set<String> = [
        "password1234", "password12345", "password123456", "passwordpassword", "password1234!", "password123!",
        "123456789012", "1234567890123", "12345678901234", "111111111111", "000000000000", "123123123123",
        "qwertyuiop12", "qwerty123456", "qwertyqwerty", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3",
        "iloveyou1234", "iloveyouiloveyou", "letmein12345", "welcome12345", "welcome123456", "welcome2024!",
        "welcome2025!", "welcome2026!", "changeme1234", "changeme12345", "administrator", "administrator1",
        "admin1234567", "adminadmin12", "trustno1trustno1", "football1234", "baseball1234", "liverpool1234",
        "manchester123", "arsenal12345", "chelsea12345", "sunshine1234", "princess1234", "monkey123456",
        "dragon123456", "master123456", "superman1234", "starwars1234", "whatever1234", "computer1234",
        "internet1234", "p@ssw0rd1234", "passw0rd1234", "p@ssword1234", "p@ssw0rd123!", "summer2024!!",
        "winter2024!!", "spring2025!!", "autumn2025!!", "nhsnhsnhsnhs", "nhspassword1", "nhspassword123",
        "nhsengland123", "nhsdigital123", "hospital1234", "hospital12345", "doctor123456", "nurse1234567",
        "patient12345", "assure123456", "assurepassword", "correcthorsebatterystaple",
    ]
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
