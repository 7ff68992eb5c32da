import XCTest
@testable import AssureCore

final class PasswordPolicyTests: XCTestCase {
    func testLongUncommonPasswordsPassWithoutCompositionRules() {
        for good in ["correct horse battery", "kettle-marmalade-oak", "all lower case words here", "Å bit of ünïcode here",
                     "assessments of risk", "dragonfly boat race 2024"] {
            XCTAssertNoThrow(try PasswordPolicy.check(good), good)
        }
    }

    func testShortCommonRepetitiveAndPersonalPasswordsAreRefused() {
        let bad: [(String, String)] = [
            ("short pass", "at least 12"),
            ("Password 1234", "attackers try first"),
            ("123456789012", "attackers try first"),
            ("defghijklmno", "attackers try first"),
            ("qwertyuiopas", "attackers try first"),
            ("1qaz2wsx3edc", "attackers try first"),
            ("zxcvbnm,./;lkj", "attackers try first"),
            ("liverpool2024!", "attackers try first"),
            ("sunshine sunshine", "attackers try first"),
            ("!!iloveyou123", "attackers try first"),
            ("aaaaaaaaaaaaaaa", "repeat"),
            ("abababababab", "repeat"),
            ("jane.smith@nhs.net", "name or email"),
            (String(repeating: "é", count: 40), "at most 72 bytes"),
        ]
        for (password, mention) in bad {
            XCTAssertThrowsError(try PasswordPolicy.check(password, personal: ["jane.smith@nhs.net", "jane.smith", "Jane Smith"]), password) { error in
                XCTAssertTrue("\(error)".contains(mention), "\(password): \(error)")
            }
        }
    }
}

final class SignInThrottleTests: XCTestCase {
    func testBackOffDoublesAfterTheFreeFailuresAndIsCapped() {
        XCTAssertEqual(SignInThrottle.wait(afterFailures: 4), .zero)
        XCTAssertEqual(SignInThrottle.wait(afterFailures: 5), .seconds(1))
        XCTAssertEqual(SignInThrottle.wait(afterFailures: 7), .seconds(4))
        XCTAssertEqual(SignInThrottle.wait(afterFailures: 40), .seconds(900))
    }

    func testRefusalCountsFromTheLatestFailure() {
        let last = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertNil(SignInThrottle.refusal(failures: 3, lastFailure: last, now: last))
        XCTAssertEqual(SignInThrottle.refusal(failures: 7, lastFailure: last, now: last.addingTimeInterval(1)), .seconds(3))
        XCTAssertNil(SignInThrottle.refusal(failures: 7, lastFailure: last, now: last.addingTimeInterval(4)))
        XCTAssertNil(SignInThrottle.refusal(failures: 9, lastFailure: nil, now: last))
    }
}
