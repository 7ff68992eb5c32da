import AssureCore
import AssureDemo
import XCTest

final class SameSitePathTests: XCTestCase {
    func testOnlyAPathTheBrowserKeepsOnThisSiteIsAccepted() {
        for good in ["/organisations", "/organisations/T91/risks?status=open&page=2", "/", "/organisations/T91#main"] {
            XCTAssertEqual(SameSitePath.validated(good), good, good)
        }
        // Browsers drop tabs and line breaks and read a backslash as a slash: each of these is another site.
        for bad in ["/\t/elsewhere.example", "/\n/elsewhere.example", "/\r/elsewhere.example", "/\\elsewhere.example", "\\/elsewhere.example",
                    "//elsewhere.example", "/%2f/elsewhere.example", "/%5Celsewhere.example", "https://elsewhere.example/", "javascript:alert(1)",
                    "organisations", "", "/ /elsewhere.example", "/\u{0}x", "/x\u{200B}", "/x\"><meta http-equiv=\"refresh\">"] {
            XCTAssertNil(SameSitePath.validated(bad), bad.debugDescription)
        }
        XCTAssertNil(SameSitePath.validated(nil))
        XCTAssertNil(SameSitePath.validated("/" + String(repeating: "a", count: 3000)), "absurdly long")
    }
}

final class ApprovalRuleTests: XCTestCase {
    func testFourEyes() {
        let refuse = { (parties: ApprovalRule.Parties, may: Bool) in ApprovalRule.refusal(parties, mayApprove: may, what: "a result", field: "status") }
        XCTAssertNil(refuse(.init(approver: "siro@t.example", storedOwner: "lead@t.example", submitter: "lead@t.example"), true))
        XCTAssertEqual(refuse(.init(approver: "siro@t.example", storedOwner: nil, submitter: nil), false)?.message, "Only a manager may approve a result")
        // The stored owner cannot approve by dropping or changing the owner in the same request.
        XCTAssertNotNil(refuse(.init(approver: "lead@t.example", storedOwner: "lead@t.example", requestedOwner: nil, submitter: "x@t.example"), true))
        XCTAssertNotNil(refuse(.init(approver: "lead@t.example", storedOwner: "LEAD@t.example ", requestedOwner: "other@t.example", submitter: nil), true))
        XCTAssertNotNil(refuse(.init(approver: "lead@t.example", storedOwner: nil, requestedOwner: "lead@t.example", submitter: nil), true))
        // Whoever submitted the change cannot approve it, owner or not.
        XCTAssertEqual(refuse(.init(approver: "siro@t.example", storedOwner: "lead@t.example", submitter: "siro@t.example"), true)?.field, "status")
    }
}

final class TokenRoleTests: XCTestCase {
    func testATokenActsWithTheLowerOfItsRoleAndItsOwnersRoleToday() {
        let manager = [Membership(organisation: "T91", role: .manager)]
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"], owner: manager), .manager)
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .viewer, organisation: "T91", ancestors: ["Q9A"], owner: manager), .viewer)
        // Demoted to contributor: a manager's token now acts as a contributor.
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"],
                                                       owner: [Membership(organisation: "T91", role: .contributor)]), .contributor)
        // Role removed there: the token acts as nobody.
        XCTAssertNil(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"], owner: [Membership(organisation: "T94", role: .manager)]))
        XCTAssertNil(AccessPolicy.effectiveTokenRole(scope: .manager, organisation: "T91", ancestors: ["Q9A"], owner: []))
        // A role reaching down from the ICB still covers the trust; an auditor's token under a manager keeps only reading.
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .viewer, organisation: "T91", ancestors: ["Q9A"], owner: [Membership(organisation: "Q9A", role: .orgAdmin)]), .viewer)
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .auditor, organisation: "T91", ancestors: ["Q9A"], owner: manager), .viewer)
        // A system administrator's token needs its owner to be one still.
        XCTAssertEqual(AccessPolicy.effectiveTokenRole(scope: .systemAdmin, organisation: nil, ancestors: [], owner: [Membership(organisation: "", role: .systemAdmin)]), .systemAdmin)
        XCTAssertNil(AccessPolicy.effectiveTokenRole(scope: .systemAdmin, organisation: nil, ancestors: [], owner: manager))
    }
}

final class ClientAddressTests: XCTestCase {
    func testNetworksMatchTheirAddresses() throws {
        let private10 = try XCTUnwrap(IPNetwork("10.0.0.0/8"))
        XCTAssertTrue(private10.contains("10.20.30.40"))
        XCTAssertTrue(private10.contains("::ffff:10.1.2.3"), "an IPv4 address as a dual-stack socket reports it")
        XCTAssertFalse(private10.contains("11.0.0.1"))
        XCTAssertFalse(private10.contains("not an address"))
        let v6 = try XCTUnwrap(IPNetwork("2001:db8::/32"))
        XCTAssertTrue(v6.contains("2001:db8:1::5"))
        XCTAssertFalse(v6.contains("2001:db9::1"))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("192.0.2.1")).contains("192.0.2.1"))
        for bad in ["10.0.0.0/33", "300.1.1.1", "10.0.0.0/", "proxy.example", "", "2001:db8::/129"] { XCTAssertNil(IPNetwork(bad), bad) }
    }

    func testForwardedHeadersAreBelievedOnlyFromTrustedProxies() throws {
        let trusted = [try XCTUnwrap(IPNetwork("10.0.0.0/8"))]
        XCTAssertEqual(ClientAddress.resolve(peer: "198.51.100.7", forwardedFor: ["203.0.113.9"], forwarded: [], trusted: trusted), "198.51.100.7",
                       "a client that is not a proxy cannot name another address")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["203.0.113.9"], forwarded: [], trusted: trusted), "203.0.113.9")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 203.0.113.9, 10.0.0.5"], forwarded: [], trusted: trusted), "203.0.113.9",
                       "the nearest untrusted hop; what the client wrote further left is not believed")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: [], forwarded: [#"for="[2001:db8::1]:4711";proto=https, for=10.0.0.5"#], trusted: trusted),
                       "2001:db8::1")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["junk"], forwarded: [], trusted: trusted), "10.0.0.2")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["203.0.113.9"], forwarded: [], trusted: []), "10.0.0.2")
    }

    func testTheBackOffSlidesAndClaimsEachAttempt() {
        let start = Date(timeIntervalSince1970: 2_000_000_000)
        XCTAssertEqual(SignInThrottle.counting(failures: 6, lastFailure: start, now: start.addingTimeInterval(11 * 60)), 4, "two forgiven after ten quiet minutes")
        XCTAssertEqual(SignInThrottle.counting(failures: 6, lastFailure: start, now: start.addingTimeInterval(86_400)), 0)
        XCTAssertEqual(SignInThrottle.attempt(failures: 0, lastFailure: nil, now: start), .allowed(countingAsFailures: 1))
        XCTAssertEqual(SignInThrottle.attempt(failures: 5, lastFailure: start, now: start), .refused(wait: .seconds(1)))
        XCTAssertEqual(SignInThrottle.attempt(failures: 5, lastFailure: start, now: start.addingTimeInterval(2)), .allowed(countingAsFailures: 6))
    }
}

final class DemoSafetyTests: XCTestCase {
    func testDemoDataOnlyBesideDemoDataAndOnlyOnThisMachine() {
        for demo in ["Y99", "Y91", "Q9A", "Q1Z", "T91", "T1A", "Z99001", "Z10000"] { XCTAssertTrue(DemoSafety.isDemoCode(demo), demo) }
        for real in ["Y56", "Y90", "QE1", "QOQ", "RXX", "R1H", "A81001", "Z9900", "T9"] { XCTAssertFalse(DemoSafety.isDemoCode(real), real) }
        XCTAssertNil(DemoSafety.refusal(host: "127.0.0.1", organisationCodes: [], accountEmails: []))
        XCTAssertNil(DemoSafety.refusal(host: "::1", organisationCodes: ["Y99", "T91"], accountEmails: ["admin@avalon.example"]))
        XCTAssertNotNil(DemoSafety.refusal(host: "0.0.0.0", organisationCodes: [], accountEmails: []))
        XCTAssertNotNil(DemoSafety.refusal(host: "assure.trust.nhs.uk", organisationCodes: [], accountEmails: []))
        XCTAssertNotNil(DemoSafety.refusal(host: nil, organisationCodes: ["Y99", "RXX"], accountEmails: []))
        XCTAssertNotNil(DemoSafety.refusal(host: nil, organisationCodes: ["Y99"], accountEmails: ["jane.smith@nhs.net"]))
    }
}

final class UTF8TextTests: XCTestCase {
    func testTheFirstByteThatIsNotUTF8IsNamedByLineAndByteWhateverTheChunks() {
        let good = Array("café\nnaïve\n".utf8)
        XCTAssertEqual(try? UTF8Text.decode(good).get(), "café\nnaïve\n")
        var bad = Array("line one\nline two é\n".utf8)
        bad[bad.count - 3] = 0xE9  // Latin-1 é, then the second byte of the UTF-8 é is stray
        XCTAssertEqual(UTF8Text.firstInvalid(bad), UTF8Text.Invalid(line: 2, byte: bad.count - 2))
        for size in [1, 2, 3, 5, 7, 64] {
            var chunks = stride(from: 0, to: bad.count, by: size).map { Array(bad[$0..<min($0 + size, bad.count)]) }.makeIterator()
            XCTAssertEqual(UTF8Text.firstInvalid(chunks: { chunks.next() }), UTF8Text.firstInvalid(bad), "chunks of \(size)")
            var goodChunks = stride(from: 0, to: good.count, by: size).map { Array(good[$0..<min($0 + size, good.count)]) }.makeIterator()
            XCTAssertNil(UTF8Text.firstInvalid(chunks: { goodChunks.next() }), "a character split across chunks is fine (\(size))")
        }
        XCTAssertEqual(UTF8Text.firstInvalid([0x41, 0xC3]), UTF8Text.Invalid(line: 1, byte: 2), "cut off mid-character")
    }

    func testChunksKeepEveryElementInOrder() {
        XCTAssertEqual([1, 2, 3, 4, 5].chunks(of: 2), [[1, 2], [3, 4], [5]])
        XCTAssertEqual([Int]().chunks(of: 500), [])
        XCTAssertEqual(Array(1...1000).chunks(of: 500).map(\.count), [500, 500])
    }
}
