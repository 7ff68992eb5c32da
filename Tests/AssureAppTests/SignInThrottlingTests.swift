import AssureCore
import Fluent
import XCTVapor
@testable import AssureApp

/// The back-off holds under concurrency, slides with time, and counts the real client behind a
/// trusted proxy (and only a trusted one).
final class SignInThrottlingTests: XCTestCase {
    private let password = "kettle marmalade oak"

    private func withAccount(proxies: String? = nil, _ test: (Application, TestClock) async throws -> Void) async throws {
        try await withAssure(demo: true, configuring: { configuration in
            if let proxies { configuration.trustedProxies = proxies.split(separator: ",").compactMap { IPNetwork(String($0)) } }
        }) { app in
            let clock = TestClock()
            app.clock = AssureClock(now: { clock.now })
            let accounts = UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
            _ = try await accounts.create(email: "jane.smith@nhs.net", displayName: "Jane Smith", password: password)
            try await accounts.grant(email: "jane.smith@nhs.net", role: "manager", organisation: "T91")
            try await test(app, clock)
        }
    }

    /// One sign-in attempt through the form, from `forwardedFor` if given; through a real server
    /// (so the connection has an address) when a forwarded address is sent.
    private func attempt(_ app: Application, _ email: String, _ password: String, forwardedFor: String? = nil) async throws -> HTTPStatus {
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SignInPage.formCookie)=form-token"]
        if let forwardedFor { headers.add(name: .xForwardedFor, value: forwardedFor) }
        let body = "email=\(MarkupInjectionTests.formEncoded(email))&password=\(MarkupInjectionTests.formEncoded(password))&form_token=form-token"
        var status: HTTPStatus = .ok
        let tester = try forwardedFor == nil ? app.testable() : app.testable(method: .running(hostname: "127.0.0.1", port: 0))
        try await tester.test(.POST, "/sign-in", headers: headers, body: ByteBuffer(string: body)) { res async throws in status = res.status }
        return status
    }

    func testFortyParallelWrongPasswordsAreNotAllChecked() async throws {
        try await withAccount { app, _ in
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            defer { Task { await app.server.shutdown() } }
            let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        let response = try await app.client.post(URI(string: "http://127.0.0.1:\(port)/sign-in"),
                                                                 headers: ["Content-Type": "application/x-www-form-urlencoded",
                                                                           "Cookie": "\(SignInPage.formCookie)=form-token"]) {
                            $0.body = ByteBuffer(string: "email=jane.smith%40nhs.net&password=wrong+guess+\(n)&form_token=form-token")
                        }
                        return response.status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(statuses.filter { $0 == 401 }.count, SignInThrottle.freeFailures, "only the free failures were checked")
            XCTAssertEqual(statuses.filter { $0 == 429 }.count, 40 - SignInThrottle.freeFailures)
        }
    }

    func testOccasionalTyposOverWeeksNeverLockASiteOutAndSuccessClearsTheCount() async throws {
        try await withAccount { app, clock in
            // A typo every ten minutes from one site's address: a count that never forgot would
            // lock the site out after about fifteen (its wait outgrows the ten minutes).
            for n in 0..<30 {
                let status = try await attempt(app, "person\(n % 50)@nhs.net", "not the password")
                XCTAssertEqual(status, .unauthorized, "attempt \(n)")
                clock.advance(600)
            }
            for _ in 0..<4 { _ = try await attempt(app, "jane.smith@nhs.net", "wrong password") }
            do {
                let status = try await attempt(app, "jane.smith@nhs.net", password)
                XCTAssertEqual(status, .seeOther)
            }
            for _ in 0..<4 {
                let status = try await attempt(app, "jane.smith@nhs.net", "wrong password")
                XCTAssertEqual(status, .unauthorized, "the success cleared the count")
            }
        }
    }

    func testBehindATrustedProxyEachClientIsCountedAndAuditedByItsOwnAddress() async throws {
        try await withAccount(proxies: "127.0.0.0/8,::1") { app, _ in
            for n in 0..<8 { _ = try await attempt(app, "guess\(n)@nhs.net", "guess", forwardedFor: "198.51.100.7") }
            do {
                let status = try await attempt(app, "guess9@nhs.net", "guess", forwardedFor: "198.51.100.7")
                XCTAssertEqual(status, .tooManyRequests, "the attacker is held back")
            }
            do {
                let status = try await attempt(app, "jane.smith@nhs.net", password, forwardedFor: "203.0.113.9")
                // The real client follows the redirect, so success reads as whatever that answers.
                XCTAssertFalse([.tooManyRequests, .unauthorized].contains(status), "everyone else is not held back: \(status)")
            }
            let audited = try await auditEntries(app).filter { $0.action == "sign-in" }.compactMap(\.clientAddress)
            XCTAssertEqual(audited, ["203.0.113.9"])
            // A client cannot pick its own address by writing the header itself: the proxy's hop is read first.
            do {
                let status = try await attempt(app, "guess10@nhs.net", "guess", forwardedFor: "203.0.113.9, 198.51.100.7")
                XCTAssertEqual(status, .tooManyRequests)
            }
        }
    }

    func testWithoutATrustedProxyForwardedHeadersAreIgnored() async throws {
        try await withAccount { app, _ in
            for n in 0..<8 { _ = try await attempt(app, "guess\(n)@nhs.net", "guess", forwardedFor: "198.51.100.\(n)") }
            do {
                let status = try await attempt(app, "jane.smith@nhs.net", password, forwardedFor: "203.0.113.9")
                XCTAssertEqual(status, .tooManyRequests, "a client that names another address is still counted by its own")
            }
        }
    }
}
