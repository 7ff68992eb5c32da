import Crypto
import Foundation

/// When a signed-in session ends on its own: after a period without use (idle) or a fixed time
/// after sign-in (absolute), whichever comes first. Times are passed in so tests pin the clock.
public struct SessionPolicy: Equatable, Sendable {
    public var idleTimeout: Duration
    public var absoluteTimeout: Duration

    public static let standard = SessionPolicy(idleTimeout: .seconds(30 * 60), absoluteTimeout: .seconds(12 * 60 * 60))

    public init(idleTimeout: Duration, absoluteTimeout: Duration) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }

    public enum Ending: Equatable, Sendable { case idle, absolute }

    /// Why the session has ended by `now`, or nil while it is still valid.
    public func ending(signedInAt: Date, lastSeenAt: Date, now: Date) -> Ending? {
        if now.timeIntervalSince(signedInAt) >= absoluteTimeout.seconds { return .absolute }
        if now.timeIntervalSince(lastSeenAt) >= idleTimeout.seconds { return .idle }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, for timeouts and for figures people read.
    public var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Random secrets handed to a browser or an API client (session ids, CSRF tokens, API tokens).
/// Only their SHA-256 is stored, so a copy of the database does not let anyone sign in.
public enum Secret {
    /// 32 random bytes from the system's secure generator, base64url without padding.
    public static func generate(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A second secret that follows from the first and reveals nothing about it (HMAC-SHA256), so
    /// it need not be stored: the session's CSRF token comes from the session id this way.
    public static func derive(from secret: String, purpose: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(purpose.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return Data(code).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What is stored in place of the secret.
    public static func digest(_ secret: String) -> String {
        AuditEntry.hex(SHA256.hash(data: Array(secret.utf8)))
    }

    /// Compares without stopping at the first difference, so timing does not reveal how much matched.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
