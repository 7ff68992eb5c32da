import AssureCore
import Fluent
import Plot
import SQLKit
import Vapor

/// `/sign-in`, `/sign-out` and `/sign-out-everywhere`. One generic failure message whatever went
/// wrong, so the page never tells an attacker which email addresses have accounts.
enum SignInPage {
    static let formCookie = "assure_sign_in_form"
    static let genericFailure = "The email address or password is not right."
    /// A real bcrypt hash of a random password: unknown accounts cost the same time as known ones.
    static let decoyHash = "$2b$12$0Vd2oZ0Xjx2KxjOQk5aVAOBR0cSt2SU1JZ9kmnoDzYsQmsrzGQnTS"

    struct Form: Content {
        var email: String?
        var password: String?
        var form_token: String?
        var next: String?
    }

    static func show(req: Request) async throws -> Response {
        let next = safeNext(req.query[String.self, at: "next"])
        if req.identity != nil { return req.redirect(to: next, redirectType: .normal) }
        return render(req, email: "", next: next, error: nil, status: .ok)
    }

    static func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let next = safeNext(form.next)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard let expected = req.cookies[formCookie]?.string, Secret.constantTimeEquals(form.form_token ?? "", expected) else {
            return render(req, email: email, next: next, error: "The sign-in form expired. Please try again.", status: .forbidden)
        }
        let now = req.application.clock.now()
        let keys = ["account:\(email)", "address:\(req.clientAddress ?? "unknown")"]
        if let wait = try await SignInThrottling.claim(keys, now: now, on: req.db) {
            let seconds = Int(wait.components.seconds) + 1
            return render(req, email: email, next: next, error: "Too many attempts. Wait \(Words.count(seconds, "second")) and try again.", status: .tooManyRequests)
        }
        let user = try await User.query(on: req.db).filter(\.$email == email).first()
        let matches = try await UserAccounts.verify(form.password ?? "", against: user?.passwordHash ?? decoyHash, on: req.application.threadPool)
        guard let user, matches, user.passwordHash != nil, user.status == .active else {
            // The claimed attempt already counts as a failure.
            try await req.db.writeTransaction { db in
                try await AuditTrail.append([signInEvent("sign-in-failed", email: email, req: req, method: "password")], on: db)
            }
            return render(req, email: email, next: next, error: genericFailure, status: .unauthorized)
        }
        return try await startSession(for: user, req: req, next: next, method: "password") { db in
            try await SignInThrottling.clear(keys, on: db)
        }
    }

    /// Signs the person in: a new session id every time, and any session the browser already had is
    /// ended (no fixation). Shared by password and single sign-on.
    static func startSession(for user: User, req: Request, next: String, method: String,
                             alsoInTransaction: @escaping @Sendable (any Database) async throws -> Void = { _ in }) async throws -> Response {
        let token = Secret.generate()
        let now = req.application.clock.now()
        try await req.db.writeTransaction { db in
            if let old = req.cookies[SessionCookie.name]?.string {
                try await SignInSession.query(on: db).filter(\.$tokenDigest == Secret.digest(old)).delete()
            }
            try await SignInSession(token: token, userID: user.requireID(), at: now,
                                    clientAddress: req.clientAddress).create(on: db)
            user.lastSignInAt = now
            try await user.update(on: db)
            try await alsoInTransaction(db)
            try await AuditTrail.append([signInEvent("sign-in", email: user.email, req: req, method: method)], on: db)
        }
        let response = req.redirect(to: next, redirectType: .normal)
        let secure = req.application.assureConfiguration.isServedOverTLS
        SessionCookie.set(token, on: response, secure: secure)
        response.cookies[formCookie] = HTTPCookies.Value(string: "", maxAge: 0, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .strict)
        return response
    }

    static func signOut(req: Request) async throws -> Response {
        try await end(req, everywhere: false)
    }

    static func signOutEverywhere(req: Request) async throws -> Response {
        try await end(req, everywhere: true)
    }

    private static func end(_ req: Request, everywhere: Bool) async throws -> Response {
        if let identity = req.identity {
            try await req.db.writeTransaction { db in
                let sessions = SignInSession.query(on: db)
                if everywhere { sessions.filter(\.$user.$id == identity.userID) } else { sessions.filter(\.$id == identity.sessionID) }
                try await sessions.delete()
                var event = signInEvent(everywhere ? "sign-out-everywhere" : "sign-out", email: identity.email, req: req)
                if everywhere { event.changes = UserAccounts.tokenChange(try await APITokens.revokeAll(of: identity.userID, at: req.application.clock.now(), on: db)) }
                try await AuditTrail.append([event], on: db)
            }
        }
        let response = req.redirect(to: SiteURL.signIn.path, redirectType: .normal)
        SessionCookie.clear(on: response, secure: req.application.assureConfiguration.isServedOverTLS)
        return response
    }

    static func signInEvent(_ action: String, email: String, req: Request, method: String? = nil, reason: String? = nil) -> AuditEvent {
        var changes: [String: AuditEvent.FieldChange] = [:]
        if let method { changes["method"] = .init(before: nil, after: method) }
        if let reason { changes["reason"] = .init(before: nil, after: reason) }
        return req.auditContext.acting(as: email.isEmpty ? "anonymous" : email)
            .event(action, "user", email.isEmpty ? "(none)" : String(email.prefix(254)), organisation: nil, changes: changes)
    }

    /// Only a path on this site as the browser will read it (`SameSitePath`); anything else goes to
    /// the organisations page.
    static func safeNext(_ next: String?) -> String {
        SameSitePath.validated(next) ?? SiteURL.organisations.path
    }

    static func render(_ req: Request, email: String, next: String, error: String?, status: HTTPResponseStatus) -> Response {
        let existing = req.cookies[formCookie]?.string ?? ""
        let token = existing.isEmpty ? Secret.generate() : existing
        let shell = PageShell(title: error == nil ? "Sign in" : "Error: Sign in")
        let response = Layout.response(shell, status: status, view(email: email, next: next, token: token, error: error,
                                                                          singleSignOn: req.application.assureConfiguration.singleSignOn?.providerName))
        response.cookies[formCookie] = HTTPCookies.Value(string: token, maxAge: 3600, path: "/", isSecure: req.application.assureConfiguration.isServedOverTLS,
                                                         isHTTPOnly: true, sameSite: .strict)
        return response
    }

    static func view(email: String, next: String, token: String, error: String?, singleSignOn: String? = nil) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(error) { Components.errorSummary([.init(field: "email", message: $0)], fieldIDs: ["email"]) },
            .h1(.text("Sign in")),
            .unwrap(singleSignOn) { provider in
                .group(
                    .p(.a(.class("button"), .href(SiteURL.singleSignOn.with(query: [("next", next)])), .text("Sign in with \(provider)"))),
                    .h2(.class("heading-m"), .text("Or sign in with an Assure password"))
                )
            },
            .p(.text("Use the email address and password your Assure administrator gave you.")),
            .form(
                .method(.post), .action(SiteURL.signIn.path), .attribute(named: "novalidate"),
                .input(.type(.hidden), .name("form_token"), .value(token)),
                .input(.type(.hidden), .name("next"), .value(next)),
                Components.textField(.init(id: "email", label: "Email address", value: email, error: nil)),
                Components.passwordField("password", "Password", autocomplete: "current-password", error: nil),
                .button(.type(.submit), .class("button"), .text("Sign in"))
            )
        )
    }
}

/// Failed sign-ins per account and per client address, in the database so every instance counts
/// them. An attempt is claimed (counted as a failure) before its password is checked, in one
/// write transaction with the rows locked on PostgreSQL, so concurrent attempts cannot all slip
/// under the limit; success clears the count.
enum SignInThrottling {
    /// Claims an attempt for every key, or says how long to wait (claiming nothing).
    static func claim(_ keys: [String], now: Date, on database: any Database) async throws -> Duration? {
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            var claims: [(key: String, failures: Int)] = []
            var longest: Duration?
            for key in keys {
                try await sql.raw("""
                    INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES (\(bind: key), 0, \(bind: Date(timeIntervalSince1970: 0)))
                    ON CONFLICT (key) DO NOTHING
                    """).run()
                let row = try await sql.raw("SELECT failures, last_failure_at FROM sign_in_failures WHERE key = \(bind: key)" + lock).first()
                let failures = try row?.decode(column: "failures", as: Int.self) ?? 0
                let last = failures == 0 ? nil : try row?.decode(column: "last_failure_at", as: Date.self)
                switch SignInThrottle.attempt(failures: failures, lastFailure: last, now: now) {
                case .refused(let wait): longest = max(wait, longest ?? .zero)
                case .allowed(let counting): claims.append((key, counting))
                }
            }
            if let longest { return longest }
            for claim in claims {
                try await sql.raw("UPDATE sign_in_failures SET failures = \(bind: claim.failures), last_failure_at = \(bind: now) WHERE key = \(bind: claim.key)").run()
            }
            return nil
        }
    }

    /// A success clears the account's and the address's count, one row at a time in the order
    /// `claim` locks them, so a concurrent claim and clear can never deadlock on PostgreSQL.
    static func clear(_ keys: [String], on database: any Database) async throws {
        let sql = try database.sqlDatabase
        for key in keys { try await sql.raw("DELETE FROM sign_in_failures WHERE key = \(bind: key)").run() }
    }
}
