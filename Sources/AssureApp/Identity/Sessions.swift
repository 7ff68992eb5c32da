import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The time, injected so tests can move it (session timeouts, throttling).
struct AssureClock: Sendable {
    var now: @Sendable () -> Date
    static let system = AssureClock(now: { Date() })
    /// The day it is in England now.
    var today: CalendarDay { .inEngland(now()) }
}

struct AssureClockKey: StorageKey { typealias Value = AssureClock }
struct SessionPolicyKey: StorageKey { typealias Value = SessionPolicy }

extension Application {
    var clock: AssureClock {
        get { storage[AssureClockKey.self] ?? .system }
        set { storage[AssureClockKey.self] = newValue }
    }

    var sessionPolicy: SessionPolicy {
        get { storage[SessionPolicyKey.self] ?? .standard }
        set { storage[SessionPolicyKey.self] = newValue }
    }
}

/// A signed-in browser. The cookie holds a random id; only its SHA-256 is stored, with the
/// session's CSRF token, so sessions live in the database and every instance shares them.
final class SignInSession: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_digest") var tokenDigest: String
    @Parent(key: "user_id") var user: User
    /// The digest of the CSRF token, which is derived from the session id and never stored itself.
    @Field(key: "csrf_token") var csrfTokenDigest: String
    @Field(key: "signed_in_at") var signedInAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @OptionalField(key: "client_address") var clientAddress: String?

    init() {}

    /// `token` is the session id given to the browser; only digests are kept.
    init(token: String, userID: UUID, at date: Date, clientAddress: String?) {
        let tokenDigest = Secret.digest(token)
        self.tokenDigest = tokenDigest
        $user.id = userID
        csrfTokenDigest = Secret.digest(Self.csrfToken(for: token))
        signedInAt = date
        lastSeenAt = date
        self.clientAddress = clientAddress
    }
}

extension SignInSession {
    /// The synchroniser token for a session: only someone holding the session id can know it.
    static func csrfToken(for sessionToken: String) -> String { Secret.derive(from: sessionToken, purpose: "assure-csrf") }
}

struct CreateSessionsAndThrottles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SignInSession.schema)
            .id()
            .field("token_digest", .string, .required)
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("signed_in_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("client_address", .string)
            .unique(on: "token_digest")
            .create()
        try await database.schema("sign_in_failures")
            .field("key", .string, .required)
            .field("failures", .int, .required)
            .field("last_failure_at", .datetime, .required)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sign_in_failures").delete()
        try await database.schema(SignInSession.schema).delete()
    }
}

/// The person behind a request, with every role they hold (by organisation ODS code).
struct Identity: Sendable {
    var userID: UUID
    var email: String
    var displayName: String
    var memberships: [Membership<String>]
    var sessionID: UUID
    var csrfToken: String
}

struct IdentityKey: StorageKey { typealias Value = Identity }

extension Request {
    /// Who signed in, if anyone.
    var identity: Identity? {
        get { storage[IdentityKey.self] }
        set { storage[IdentityKey.self] = newValue }
    }
}

enum SessionCookie {
    static let name = "assure_session"

    /// A browser-session cookie (no Max-Age or Expires): closing the browser forgets it. The idle
    /// and absolute limits are kept by the server, whatever the browser does.
    static func set(_ token: String, on response: Response, secure: Bool) {
        response.cookies[name] = HTTPCookies.Value(string: token, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .strict)
    }

    static func clear(on response: Response, secure: Bool) {
        response.cookies[name] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                                                   isSecure: secure, isHTTPOnly: true, sameSite: .strict)
    }
}

/// Finds the session behind the cookie, ends it if it has timed out, and puts the identity on
/// the request. `last_seen_at` is written at most once a minute, not on every request.
struct SessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The API authenticates with bearer tokens only; cookies are never read there.
        guard !request.url.path.hasPrefix("/api/"), let token = request.cookies[SessionCookie.name]?.string, !token.isEmpty else {
            return try await next.respond(to: request)
        }
        let now = request.application.clock.now()
        var expired = false
        if let found = try await Self.session(digest: Secret.digest(token), on: request.db) {
            if found.active, request.application.sessionPolicy.ending(signedInAt: found.signedInAt, lastSeenAt: found.lastSeenAt, now: now) == nil {
                if now.timeIntervalSince(found.lastSeenAt) >= 60 {
                    try await request.db.writeTransaction { db in
                        try await db.sqlDatabase.update(SignInSession.schema).set("last_seen_at", to: now).where("id", .equal, found.identity.sessionID).run()
                    }
                }
                var identity = found.identity
                identity.csrfToken = SignInSession.csrfToken(for: token)
                request.identity = identity
            } else {
                try await request.db.writeTransaction { db in
                    try await db.sqlDatabase.delete(from: SignInSession.schema).where("id", .equal, found.identity.sessionID).run()
                }
                expired = true
            }
        } else {
            expired = true
        }
        let response = try await next.respond(to: request)
        if expired && request.identity == nil {
            SessionCookie.clear(on: response, secure: request.application.assureConfiguration.isServedOverTLS)
        }
        return response
    }

    struct FoundSession {
        var identity: Identity
        var active: Bool
        var signedInAt: Date
        var lastSeenAt: Date
    }

    /// The session with this token digest, its person and every role they hold, in one statement:
    /// it runs on every page, so it is one round trip, not three.
    static func session(digest: String, on database: any Database) async throws -> FoundSession? {
        let rows = try await database.sqlDatabase.raw("""
            SELECT s.id AS session_id, s.signed_in_at, s.last_seen_at, u.id AS user_id, u.email, u.display_name, u.status, o.ods_code, m.role
            FROM sessions s JOIN users u ON u.id = s.user_id
            LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN organisations o ON o.id = m.organisation_id
            WHERE s.token_digest = \(bind: digest)
            """).all()
        guard let first = rows.first else { return nil }
        let memberships = try rows.compactMap { row -> Membership<String>? in
            guard let raw = try row.decode(column: "role", as: String?.self), let role = Role(rawValue: raw) else { return nil }
            // A system administrator's role has no organisation; the permission function ignores it for that role.
            return Membership(organisation: (try row.decode(column: "ods_code", as: String?.self)) ?? "", role: role)
        }
        let identity = Identity(userID: try first.decode(column: "user_id", as: UUID.self), email: try first.decode(column: "email", as: String.self),
                                displayName: try first.decode(column: "display_name", as: String.self), memberships: memberships,
                                sessionID: try first.decode(column: "session_id", as: UUID.self), csrfToken: "")
        return FoundSession(identity: identity, active: try first.decode(column: "status", as: String.self) == User.Status.active.rawValue,
                            signedInAt: try first.decode(column: "signed_in_at", as: Date.self), lastSeenAt: try first.decode(column: "last_seen_at", as: Date.self))
    }

    static func memberships(of userID: UUID, on database: any Database) async throws -> [Membership<String>] {
        let sql = try database.sqlDatabase
        return try await sql.raw("""
            SELECT o.ods_code, m.role FROM memberships m LEFT JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = \(bind: userID)
            """).all().compactMap { row in
            // A system administrator's role has no organisation; the permission function ignores it for that role.
            Role(rawValue: try row.decode(column: "role", as: String.self)).map {
                Membership(organisation: (try? row.decode(column: "ods_code", as: String?.self)) ?? "", role: $0)
            }
        }
    }
}
