import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Runs a test against the real app and a fresh real database: SQLite in memory by default,
/// PostgreSQL when `ASSURE_TEST_DATABASE_URL` is set (its schema is wiped first — use a throwaway database).
func withAssure(
    demo: Bool = false, migrate: Bool = true, configuring adjust: (inout AssureConfiguration) -> Void = { _ in },
    _ test: (Application) async throws -> Void
) async throws {
    let app = try await Application.make(.testing)
    do {
        var configuration = AssureConfiguration(database: TestDatabase.location, logLevel: .warning)
        configuration.dataDirectory = NSTemporaryDirectory()
        adjust(&configuration)
        try await configure(app, configuration)
        try await TestDatabase.reset(app)
        if migrate { try await app.autoMigrate() }
        if demo { _ = try await DemoSeeder.seedRegion(on: app) }
        if migrate { app.storage[TestCredentialsKey.self] = try await TestCredentials.make(role: .systemAdmin, organisation: nil, on: app) }
        try await test(app)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

enum TestDatabase {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ASSURE_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var location: AssureConfiguration.DatabaseLocation {
        postgresURL.map { .postgres(url: $0) } ?? .sqliteInMemory
    }

    /// PostgreSQL keeps data between tests, so each test starts from an empty schema.
    static func reset(_ app: Application) async throws {
        guard postgresURL != nil, let sql = app.db as? any SQLDatabase else { return }
        try await sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
        try await sql.raw("CREATE SCHEMA public").run()
    }
}

extension XCTHTTPResponse {
    var text: String { body.string }

    func json() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }
}

/// Counts rows directly, to prove what a rejected request did (not) write.
func organisationCount(_ app: Application) async throws -> Int {
    try await Organisation.query(on: app.db).count()
}

func jsonHeaders() -> HTTPHeaders {
    ["Content-Type": "application/json", "Accept": "application/json"]
}

/// A signed-in person for tests: a session (cookie and CSRF token) and an API token, written
/// directly (the sign-in and token flows have tests of their own).
struct TestCredentials: Sendable {
    var email: String
    var session: String
    var csrf: String
    var apiToken: String

    static func make(role: Role, organisation: String?, on app: Application, email: String = "tester@assure.test") async throws -> TestCredentials {
        let user = User(email: try EmailAddress(email), displayName: "Test \(role.displayName)", passwordHash: nil)
        try await user.create(on: app.db)
        var organisationID: UUID?
        if let organisation { organisationID = try await OrganisationDirectory(database: app.db).require(organisation).id }
        try await OrganisationMembership(userID: user.requireID(), organisationID: organisationID, role: role).create(on: app.db)
        let session = Secret.generate(), token = Secret.generate(prefix: APIToken.prefix)
        let csrf = SignInSession.csrfToken(for: session)
        try await SignInSession(token: session, userID: user.requireID(), at: app.clock.now(), clientAddress: nil).create(on: app.db)
        let record = APIToken()
        record.$user.id = try user.requireID()
        record.name = "tests"
        record.tokenDigest = Secret.digest(token)
        record.$organisation.id = organisationID
        record.role = role.rawValue
        record.expiresAt = app.clock.now().addingTimeInterval(86_400)
        try await record.create(on: app.db)
        return TestCredentials(email: email, session: session, csrf: csrf, apiToken: token)
    }
}

struct TestCredentialsKey: StorageKey { typealias Value = TestCredentials }

extension Application {
    /// Sends a request as the test's signed-in person: bearer token for the API, session cookie and
    /// CSRF token for pages. `as: nil` sends it anonymously.
    func send(
        _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
        as credentials: TestCredentials?? = .none, afterResponse: (XCTHTTPResponse) async throws -> Void = { _ in }
    ) async throws {
        let who: TestCredentials? = credentials ?? storage[TestCredentialsKey.self]
        var headers = headers
        var body = body
        var path = path
        if let who {
            if path.hasPrefix("/api/") {
                if headers[.authorization].isEmpty { headers.bearerAuthorization = BearerAuthorization(token: who.apiToken) }
            } else {
                headers.add(name: .cookie, value: "\(SessionCookie.name)=\(who.session)")
                if method != .GET, method != .HEAD, headers.contentType?.type == "multipart" {
                    // An upload carries its token in its address, as `Components.uploadAction` writes it.
                    if !path.contains(CSRFMiddleware.field + "=") { path += (path.contains("?") ? "&" : "?") + "\(CSRFMiddleware.field)=\(who.csrf)" }
                } else if method != .GET, method != .HEAD {
                    body = Self.withCSRF(body, headers: headers, token: who.csrf)
                }
            }
        }
        try await test(method, path, headers: headers, body: body, afterResponse: afterResponse)
    }

    private static func withCSRF(_ body: ByteBuffer?, headers: HTTPHeaders, token: String) -> ByteBuffer? {
        let text = body.map { String(buffer: $0) } ?? ""
        guard !text.contains(CSRFMiddleware.field) else { return body }
        if headers.contentType == .urlEncodedForm || body == nil {
            return ByteBuffer(string: text.isEmpty ? "\(CSRFMiddleware.field)=\(token)" : text + "&\(CSRFMiddleware.field)=\(token)")
        }
        return body
    }
}

/// The demo trust's people, risks and assessments (T91 A1 DSPT CAF-aligned, A2 Cyber Essentials,
/// A3 NCSC CAF 3.2; T92 and T93 on the NDG standards), as `serve --demo` seeds them.
func seedDemoTrust(_ app: Application) async throws {
    _ = try await DemoSeeder.seedPeople(on: app)
    _ = try await DemoSeeder.seedRisks(on: app.db, clock: app.clock)
    _ = try await DemoSeeder.seedAssessments(on: app)
}

/// The organisation with this ODS code as a test command sees it, on a fixed day when given.
func commandContext(_ code: String, on app: Application, today: String? = nil) async throws -> OrganisationContext {
    var clock = app.clock
    if let today, let day = CalendarDay(today) {
        let noon = day.date.addingTimeInterval(12 * 3600)  // noon UTC is the same day in England
        clock = AssureClock(now: { noon })
    }
    return try await OrganisationContext.command("test", organisation: code, database: app.db, clock: clock)
}
