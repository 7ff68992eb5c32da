import AssureCore
import AssureDemo
import Fluent
import XCTVapor
@testable import AssureApp

final class OperationsTests: XCTestCase {
    func testHealthReadinessAndMetrics() async throws {
        try await withAssure { app in
            try await app.send(.GET, "/healthz") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.json()["status"] as? String, "ok")
            }
            try await app.send(.GET, "/readyz") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.json()["schema_version"] as? Int, AssureMigrations.all.count)
                XCTAssertNotNil(res.headers.first(name: "X-Request-ID"))
            }
            try await app.send(.GET, "/metrics") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("http_requests_total{method=\"GET\",path=\"/readyz\",status=\"200\"}"), res.text)
                XCTAssertTrue(res.text.contains("assure_database_up 1"))
                XCTAssertTrue(res.text.contains("assure_database_pool_max_connections"))
            }
        }
    }

    func testReadinessFailsWhileTheSchemaIsBehind() async throws {
        try await withAssure(migrate: false) { app in
            try await app.send(.GET, "/readyz") { res async throws in
                XCTAssertEqual(res.status, .serviceUnavailable)
                XCTAssertEqual(try res.json()["status"] as? String, "schema behind")
            }
        }
    }

    func testStylesheetIsServedAndLinked() async throws {
        try await withAssure { app in
            try await app.send(.GET, SiteURL.stylesheet.path) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("--nhs-blue: #005eb8"))
                XCTAssertTrue(res.headers.first(name: .cacheControl)?.contains("immutable") ?? false)
            }
            try await app.send(.GET, "/organisations") { res async throws in
                XCTAssertTrue(res.text.contains(SiteURL.stylesheet.path))
            }
        }
    }

    func testInternalErrorsNeverReachTheCaller() async throws {
        try await withAssure { app in
            struct Secret: Error {}
            app.get("explode") { _ -> String in throw Secret() }
            try await app.send(.GET, "/explode", headers: ["Accept": "application/json"]) { res async throws in
                XCTAssertEqual(res.status, .internalServerError)
                XCTAssertFalse(res.text.contains("Secret"))
                XCTAssertEqual(try res.json()["request_id"] as? String, res.headers.first(name: "X-Request-ID"))
            }
            try await app.send(.GET, "/explode", headers: ["Accept": "text/html"]) { res async throws in
                XCTAssertEqual(res.headers.contentType, .html)
                XCTAssertFalse(res.text.contains("Secret"))
            }
        }
    }

    func testSQLiteServeMigratesItselfAndSeedsTheDemoIdempotently() async throws {
        let directory = NSTemporaryDirectory() + "assure-startup-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for run in 1...2 {
            let app = try await Application.make(.testing)
            let configuration = try ConfigurationTests.serve(["serve", "--demo", "--data-dir", directory])
            try await configure(app, configuration)
            try await AssureStartup.prepareToServe(app)
            let count = try await organisationCount(app)
            XCTAssertEqual(count, 29, "run \(run)")
            let people = try await User.query(on: app.db).count()
            XCTAssertEqual(people, DemoPeople.all.count, "run \(run)")
            XCTAssertTrue(AssureStartup.banner(app).contains("http://127.0.0.1:8080"))
            try await app.asyncShutdown()
        }
    }

    /// The demo's published password never reaches a real database or a non-loopback address.
    func testServeDemoRefusesRealDataAndNonLoopbackAddresses() async throws {
        let directory = NSTemporaryDirectory() + "assure-demo-safety-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (flags, expected) in [(["--host", "0.0.0.0"], "published password"), ([], "not demo data")] {
            let app = try await Application.make(.testing)
            do {
            let configuration = try ConfigurationTests.serve(["serve", "--demo", "--data-dir", directory] + flags)
            try await configure(app, configuration)
            if flags.isEmpty {
                try await app.autoMigrate()
                try await OrganisationChanges(database: app.db, audit: .command("test", clock: app.clock)).importRows([
                    OrganisationImport.Row(line: 2, fields: ["ods_code": "Y56", "name": "London", "type": "region", "parent_ods_code": "", "dspt_category": ""])])
            }
            do {
                try await AssureStartup.prepareToServe(app)
                XCTFail("serve --demo \(flags) should refuse")
            } catch let error as StartupError {
                XCTAssertTrue(error.message.contains(expected), error.message)
            }
            let accounts = try await User.query(on: app.db).count()
            XCTAssertEqual(accounts, 0, "no demo account was added")
            } catch {
                XCTFail("\(flags): \(error)")
            }
            try await app.asyncShutdown()
        }
    }

    func testUnreachablePostgresStopsStartUpNamingTheSetting() async throws {
        let app = try await Application.make(.testing)
        try await configure(app, AssureConfiguration(database: .postgres(url: "postgres://assure:secret@127.0.0.1:1/assure")))
        do {
            try await AssureStartup.prepareToServe(app)
            XCTFail("start-up should refuse")
        } catch let error as StartupError {
            XCTAssertTrue(error.message.contains("DATABASE_URL"), error.message)
            XCTAssertFalse(error.message.contains("secret"), "never print the password")
        }
        try await app.asyncShutdown()
    }

    func testPostgresServeRefusesASchemaThatIsBehind() async throws {
        guard let url = TestDatabase.postgresURL else { throw XCTSkip("needs ASSURE_TEST_DATABASE_URL (CI runs it)") }
        try await withAssure(migrate: false) { _ in }
        let app = try await Application.make(.testing)
        try await configure(app, AssureConfiguration(database: .postgres(url: url)))
        do {
            try await AssureStartup.prepareToServe(app)
            XCTFail("start-up should refuse")
        } catch let error as StartupError {
            XCTAssertTrue(error.message.contains("assure migrate"), error.message)
        }
        try await app.asyncShutdown()
    }
}

final class MethodNotAllowedTests: XCTestCase {
    func testAKnownPathWithAnotherMethodSays405AndWhichMethodsItTakes() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.DELETE, "/api/v1/organisations/T91") { res async throws in
                XCTAssertEqual(res.status, .methodNotAllowed)
                XCTAssertEqual(res.headers.first(name: .allow), "GET, HEAD, PUT")
                XCTAssertEqual(res.headers.contentType?.description, "application/problem+json")
            }
            try await app.send(.DELETE, "/api/v1/organisations/import") { res async throws in
                XCTAssertEqual(res.headers.first(name: .allow), "POST", "the fixed segment wins over {code}")
            }
            try await app.send(.DELETE, "/healthz", headers: ["Accept": "text/html"], as: .some(nil)) { res async throws in
                XCTAssertEqual(res.status, .methodNotAllowed)
                XCTAssertEqual(res.headers.first(name: .allow), "GET, HEAD")
                XCTAssertEqual(res.headers.contentType, .html)
            }
            try await app.send(.GET, "/api/v1/nothing-here") { res async throws in
                XCTAssertEqual(res.status, .notFound)
            }
        }
    }
}

final class SecurityHeadersTests: XCTestCase {
    func testEveryResponseCarriesTheHeadersIncludingErrors() async throws {
        try await withAssure { app in
            for path in ["/organisations", "/api/v1/organisations", "/organisations/NOPE", SiteURL.stylesheet.path] {
                try await app.send(.GET, path) { res async throws in
                    let csp = try XCTUnwrap(res.headers.first(name: "Content-Security-Policy"), path)
                    XCTAssertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), path)
                    XCTAssertFalse(csp.contains("unsafe-inline"), path)
                    XCTAssertEqual(res.headers.first(name: "X-Content-Type-Options"), "nosniff", path)
                    XCTAssertEqual(res.headers.first(name: "Referrer-Policy"), "same-origin", path)
                    XCTAssertNotNil(res.headers.first(name: "Permissions-Policy"), path)
                    XCTAssertNil(res.headers.first(name: .strictTransportSecurity), "no HSTS over plain HTTP")
                }
            }
        }
    }

    func testHSTSWhenThePublicAddressIsHTTPS() async throws {
        let app = try await Application.make(.testing)
        try await configure(app, AssureConfiguration(database: .sqliteInMemory, publicURL: "https://assure.example.nhs.uk"))
        try await app.send(.GET, "/healthz") { res async throws in
            XCTAssertEqual(res.headers.first(name: .strictTransportSecurity), "max-age=31536000; includeSubDomains")
        }
        try await app.asyncShutdown()
    }

    func testMetricsCanRequireAToken() async throws {
        try await withAssure(configuring: { $0.metricsToken = "scraper-secret-0123456789" }) { app in
            try await app.test(.GET, "/metrics") { res async throws in XCTAssertEqual(res.status, .unauthorized) }
            try await app.test(.GET, "/metrics", headers: ["Authorization": "Bearer wrong-secret-0123456789"]) { res async throws in
                XCTAssertEqual(res.status, .unauthorized)
            }
            try await app.test(.GET, "/metrics", headers: ["Authorization": "Bearer scraper-secret-0123456789"]) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("http_requests_total"))
            }
        }
        XCTAssertThrowsError(try AssureConfiguration.load(environment: ["ASSURE_METRICS_TOKEN": "short"]))
    }
}
