import AssureCore
import Fluent
import XCTVapor
@testable import AssureApp

/// Two Assure servers on different ports share one database, as behind a load balancer: a person
/// signs in on one and works on the other, and signing out on either ends the session on both.
/// PostgreSQL when `ASSURE_TEST_DATABASE_URL` is set (CI runs both), otherwise one SQLite file.
final class TwoInstancesTests: XCTestCase {
    func makeInstance(_ location: AssureConfiguration.DatabaseLocation, prepare: Bool) async throws -> (Application, Int) {
        let app = try await Application.make(.testing)
        var configuration = AssureConfiguration(database: location, logLevel: .warning)
        configuration.dataDirectory = NSTemporaryDirectory()
        try await configure(app, configuration)
        if prepare {
            try await TestDatabase.reset(app)
            try await app.autoMigrate()
            _ = try await DemoSeeder.seedRegion(on: app)
            _ = try await UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
                .create(email: "ig.lead@avalon.example", displayName: "IG Lead", password: "granite orchard swallow")
            try await UserAccounts(database: app.db, audit: .command("test", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
                .grant(email: "ig.lead@avalon.example", role: "org-admin", organisation: "T91")
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
        return (app, port)
    }

    func testSignInOnOneInstanceActOnTheOther() async throws {
        let file = NSTemporaryDirectory() + "assure-two-instances-\(UUID().uuidString).sqlite"
        let location = TestDatabase.postgresURL.map { AssureConfiguration.DatabaseLocation.postgres(url: $0) } ?? .sqliteFile(path: file)
        let (first, firstPort) = try await makeInstance(location, prepare: true)
        let (second, secondPort) = try await makeInstance(location, prepare: false)
        // The test's browser: a client that shows redirects rather than following them.
        first.http.client.configuration.redirectConfiguration = .disallow
        let browser = first.client
        do {
            let a = "http://127.0.0.1:\(firstPort)", b = "http://127.0.0.1:\(secondPort)"
            XCTAssertNotEqual(firstPort, secondPort)

            // Sign in on the first instance.
            let signInPage = try await browser.get(URI(string: a + "/sign-in"))
            let formToken = try XCTUnwrap(signInPage.headers.setCookie?[SignInPage.formCookie]?.string)
            let signedIn = try await browser.post(URI(string: a + "/sign-in"), headers: [
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SignInPage.formCookie)=\(formToken)",
            ]) { request in
                request.body = ByteBuffer(string: "email=ig.lead%40avalon.example&password=granite+orchard+swallow&form_token=\(formToken)&next=%2Forganisations%2FT91")
            }
            XCTAssertEqual(signedIn.status, .seeOther)
            let session = try XCTUnwrap(signedIn.headers.setCookie?[SessionCookie.name]?.string)
            let cookie: HTTPHeaders = ["Cookie": "\(SessionCookie.name)=\(session)"]

            // The second instance knows the session: it shows the edit form with the session's CSRF token...
            let edit = try await browser.get(URI(string: b + "/organisations/T91/edit"), headers: cookie)
            XCTAssertEqual(edit.status, .ok)
            let html = edit.body.map { String(buffer: $0) } ?? ""
            XCTAssertTrue(html.contains("Signed in as ig.lead@avalon.example"))
            let marker = #"name="csrf_token" value=""#
            let csrf = try XCTUnwrap(html.range(of: marker).map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })

            // ...and accepts a change, which the first instance then shows.
            var headers = cookie
            headers.add(name: .contentType, value: "application/x-www-form-urlencoded")
            let saved = try await browser.post(URI(string: b + "/organisations/T91/edit"), headers: headers) { request in
                request.body = ByteBuffer(string: "name=Avalon+General+Hospital+(renamed)&type=nhs-trust&parent_ods_code=Q9A&dspt_category=1&csrf_token=\(csrf)")
            }
            XCTAssertEqual(saved.status, .seeOther)
            let overview = try await browser.get(URI(string: a + "/organisations/T91"), headers: cookie)
            XCTAssertTrue(overview.body.map { String(buffer: $0) }?.contains("Avalon General Hospital (renamed)") ?? false)

            // Signing out on the second ends the session on the first too.
            let out = try await browser.post(URI(string: b + "/sign-out"), headers: headers) { request in
                request.body = ByteBuffer(string: "csrf_token=\(csrf)")
            }
            XCTAssertEqual(out.status, .seeOther)
            let after = try await browser.get(URI(string: a + "/organisations/T91"), headers: cookie)
            XCTAssertEqual(after.status, .seeOther, "signed out everywhere the session was known")
            XCTAssertTrue(after.headers.first(name: .location)?.hasPrefix("/sign-in") ?? false)
        } catch {
            await stop(first, second)
            throw error
        }
        await stop(first, second)
        try? FileManager.default.removeItem(atPath: file)
    }

    private func stop(_ apps: Application...) async {
        for app in apps {
            await app.server.shutdown()
            try? await app.asyncShutdown()
        }
    }
}
