import XCTest
@testable import AssureCore

final class SessionPolicyTests: XCTestCase {
    private let signIn = Date(timeIntervalSince1970: 2_000_000_000)

    func testIdleAndAbsoluteTimeoutsWithAPinnedClock() {
        let policy = SessionPolicy.standard
        XCTAssertNil(policy.ending(signedInAt: signIn, lastSeenAt: signIn, now: signIn.addingTimeInterval(29 * 60)))
        XCTAssertEqual(policy.ending(signedInAt: signIn, lastSeenAt: signIn, now: signIn.addingTimeInterval(30 * 60)), .idle)
        // Kept busy, the session still ends 12 hours after sign-in.
        let busy = signIn.addingTimeInterval(12 * 3600 - 60)
        XCTAssertNil(policy.ending(signedInAt: signIn, lastSeenAt: busy, now: busy.addingTimeInterval(30)))
        XCTAssertEqual(policy.ending(signedInAt: signIn, lastSeenAt: busy, now: busy.addingTimeInterval(60)), .absolute)
    }

    func testSecretsAreRandomURLSafeAndStoredOnlyAsDigests() {
        let first = Secret.generate(prefix: "assure_")
        let second = Secret.generate(prefix: "assure_")
        XCTAssertNotEqual(first, second)
        XCTAssertTrue(first.hasPrefix("assure_"))
        XCTAssertEqual(first.count, "assure_".count + 43)
        XCTAssertFalse(first.contains { "+/=".contains($0) })
        XCTAssertEqual(Secret.digest(first).count, 64)
        XCTAssertNotEqual(Secret.digest(first), first)
        XCTAssertEqual(Secret.digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 test vector")
    }

    func testConstantTimeComparison() {
        XCTAssertTrue(Secret.constantTimeEquals("token-value", "token-value"))
        XCTAssertFalse(Secret.constantTimeEquals("token-value", "token-valuf"))
        XCTAssertFalse(Secret.constantTimeEquals("token", "token-value"))
    }
}
