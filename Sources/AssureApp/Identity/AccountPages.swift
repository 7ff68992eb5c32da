import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// A signed-in person's own pages: `/account` (roles, password), `/account/tokens` (personal API
/// tokens), and `/set-password` (the invitation or reset link, used before signing in).
struct AccountPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.account.pathComponents, use: AccountPage.show)
        routes.post(SiteURL.changePassword.pathComponents, use: AccountPage.changePassword)
        routes.get(SiteURL.accountTokens.pathComponents, use: TokensPage.show)
        routes.post(SiteURL.accountTokens.pathComponents, use: TokensPage.create)
        routes.post(SiteURL.revokeAccountToken.pathComponents, use: TokensPage.revoke)
        routes.get(SiteURL.setPassword.pathComponents, use: SetPasswordPage.show)
        routes.post(SiteURL.setPassword.pathComponents, use: SetPasswordPage.set)
    }
}

enum AccountPage {
    struct PasswordForm: Content {
        var current: String?
        var password: String?
        var confirm: String?
    }

    static func show(req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        return try await render(req, identity, problems: [], changed: false)
    }

    static func changePassword(req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        let form = try req.content.decode(PasswordForm.self)
        do {
            try await req.accounts.changeOwnPassword(userID: identity.userID, sessionID: identity.sessionID, current: form.current ?? "",
                                                     new: form.password ?? "", confirmation: form.confirm ?? "")
            return try await render(req, identity, problems: [], changed: true)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(req, identity, problems: error.problems.isEmpty ? [.init(field: "current", message: error.detail)] : error.problems,
                                    changed: false, status: error.status)
        }
    }

    private static func render(_ req: Request, _ identity: Identity, problems: [AssureError.FieldProblem], changed: Bool,
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        guard let user = try await User.find(identity.userID, on: req.db) else { throw SignInRequired() }
        let roles = try await HeldRoles.of(identity.userID, on: req.db)
        let sessions = try await SignInSession.query(on: req.db).filter(\.$user.$id == identity.userID).count()
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["current", "password", "confirm"]),
            .if(changed, Components.notice(title: "Password changed", .p(.text("Your other sessions have been signed out.")))),
            .h1(.text("Your account")),
            Components.summaryList([
                ("Name", .text(user.displayName)),
                ("Email address", .text(user.email)),
                ("Last signed in", .text(user.lastSignInAt.map(LondonTime.format) ?? "Never")),
                ("Signed in now", .text("\(Words.count(sessions, "session")), including this one")),
            ]),
            .h2(.class("heading-m"), .text("Your roles")),
            roles.isEmpty
                ? Components.emptyState(title: "No roles yet", message: "Ask your organisation's Assure administrator to give you a role.", actions: [])
                : .ul(.forEach(roles) { held in
                    .li(.strong(.text(held.role.displayName)), .text(" in "),
                        held.organisationCode.map { code in .a(.href(SiteURL.organisation(code).path), .text("\(held.organisationName ?? code) (\(code))")) }
                            ?? .text("all of Assure"),
                        .text(": \(held.role.summary)."))
                }),
            .p(.a(.href(SiteURL.accountTokens.path), .text("Manage your API tokens"))),
            .if(user.passwordHash != nil, .form(
                .class("panel"), .method(.post), .action(SiteURL.changePassword.path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Change your password")),
                .p(.text("Use at least \(PasswordPolicy.minimumLength) characters. Three random words work well. Your other sessions will be signed out.")),
                Components.csrfField(),
                Components.passwordField("current", "Current password", autocomplete: "current-password", error: problems.message(for: "current")),
                Components.passwordField("password", "New password", autocomplete: "new-password", error: problems.message(for: "password")),
                Components.passwordField("confirm", "New password again", autocomplete: "new-password", error: problems.message(for: "confirm")),
                .button(.type(.submit), .class("button"), .text("Change password"))
            ))
        )
        return Layout.response(PageShell(title: problems.isEmpty ? "Your account" : "Error: Your account"), status: status, content)
    }
}

/// `/account/tokens`: the person's own API tokens — issue one (shown once), see when each was last
/// used, revoke it.
enum TokensPage {
    struct CreateForm: Content {
        var name: String?
        var scope: String?
        var days: String?
    }

    static func show(req: Request) async throws -> Response {
        try await render(req, try req.requireIdentity(), input: CreateForm(days: "90"), problems: [], issued: nil)
    }

    static func create(req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        let form = try req.content.decode(CreateForm.self)
        // The scope is "ODS code|role" (or "|system-admin"), chosen from the roles the person holds.
        let parts = (form.scope ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        do {
            guard parts.count == 2, !parts[1].isEmpty else {
                throw AssureError.invalid([RuleError(field: "scope", message: "Choose the organisation and role the token acts with")])
            }
            guard let days = Int((form.days ?? "").trimmingCharacters(in: .whitespaces)) else {
                throw AssureError.invalid([RuleError(field: "days", message: "Enter the number of days until the token expires, from 1 to \(APITokens.longestLife)")])
            }
            let token = try await APITokens(database: req.db, audit: req.auditContext, clock: req.application.clock)
                .issue(email: identity.email, organisation: parts[0].isEmpty ? nil : parts[0], role: parts[1], name: form.name ?? "", days: days)
            return try await render(req, identity, input: CreateForm(days: "90"), problems: [], issued: (form.name ?? "", token))
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(req, identity, input: form, problems: error.problems.isEmpty ? [.init(field: "scope", message: error.detail)] : error.problems,
                                    issued: nil, status: error.status)
        }
    }

    static func revoke(req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        guard let id = (try? req.content.get(String.self, at: "token")).flatMap(UUID.init(uuidString:)) else {
            throw AssureError.invalid([RuleError(field: "token", message: "Choose the token to revoke")])
        }
        try await APITokens(database: req.db, audit: req.auditContext, clock: req.application.clock).revoke(id: id, ownedBy: identity.userID)
        return req.redirect(to: SiteURL.accountTokens.path, redirectType: .normal)
    }

    private static func render(_ req: Request, _ identity: Identity, input: CreateForm, problems: [AssureError.FieldProblem],
                               issued: (name: String, token: String)?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let tokens = try await APIToken.query(on: req.db).filter(\.$user.$id == identity.userID).with(\.$organisation).sort(\.$createdAt, .descending).all()
        let held = try await HeldRoles.of(identity.userID, on: req.db)
        let now = req.application.clock.now()
        let scopes = held.map { ("\($0.organisationCode ?? "")|\($0.role.rawValue)",
                                 "\($0.role.displayName) in \($0.organisationCode.map { code in "\(code)" } ?? "all of Assure")") }
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["name", "scope", "days"]),
            .unwrap(issued) { issued in
                Components.notice(title: "Token '\(issued.name)' created",
                    .p(.text("Copy it now: it will not be shown again. Send it as Authorization: Bearer … to the Assure API.")),
                    Components.secret(issued.token))
            },
            .h1(.text("API tokens")),
            .p(.class("lede"), .text("A token lets another system use the Assure API as you, in one organisation, with one of your roles or a lower one. Revoke it when that system no longer needs it.")),
            tokens.isEmpty
                ? Components.emptyState(title: "No tokens", message: "You have not created any API tokens.", actions: [])
                : Components.scrollableTable(label: "Your API tokens", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Name")), .th(.text("Organisation")), .th(.text("Role")), .th(.text("Expires")),
                               .th(.text("Last used")), .th(.text("Status")), .th(.span(.class("visually-hidden"), .text("Actions"))))),
                    .tbody(.forEach(tokens) { token in
                        let state = token.revokedAt != nil ? "Revoked" : token.expiresAt <= now ? "Expired" : "Active"
                        return .tr(
                            .td(.text(token.name)), .td(.text(token.organisation?.odsCode ?? "All")),
                            .td(.text(Role(rawValue: token.role)?.displayName ?? token.role)),
                            .td(.text(LondonTime.format(token.expiresAt))), .td(.text(token.lastUsedAt.map(LondonTime.format) ?? "Never")),
                            .td(.span(.class(state == "Active" ? "tag tag--green" : "tag tag--grey"), .text(state))),
                            .td(.if(state == "Active", .form(
                                .method(.post), .action(SiteURL.revokeAccountToken.path), Components.csrfField(),
                                .input(.type(.hidden), .name("token"), .value(token.id?.uuidString ?? "")),
                                .button(.type(.submit), .class("link-button"), .text("Revoke"), .ariaLabel("Revoke token \(token.name)")))))
                        )
                    })
                )),
            held.isEmpty
                ? .p(.text("You need a role in an organisation before you can create a token."))
                : .form(
                    .class("panel"), .method(.post), .action(SiteURL.accountTokens.path), .attribute(named: "novalidate"),
                    .h2(.class("heading-m"), .text("Create a token")),
                    Components.csrfField(),
                    Components.textField(.init(id: "name", label: "Name", hint: "What will use it, for example: Trust CMDB nightly sync",
                                               value: input.name ?? "", error: problems.message(for: "name"))),
                    Components.selectField(.init(id: "scope", label: "Acts as", hint: "One of your roles; the token can do no more than it",
                                                 value: input.scope ?? "", error: problems.message(for: "scope") ?? problems.message(for: "role") ?? problems.message(for: "org")),
                                           options: scopes),
                    Components.textField(.init(id: "days", label: "Expires after (days)", hint: "1 to \(APITokens.longestLife)",
                                               value: input.days ?? "90", error: problems.message(for: "days"), width: "field--short")),
                    .button(.type(.submit), .class("button"), .text("Create token"))
                )
        )
        return Layout.response(PageShell(title: problems.isEmpty ? "API tokens" : "Error: API tokens"), status: status, content)
    }
}

/// `/set-password?token=…`: where an invitation or reset link lands. Works without signing in; the
/// link itself is the proof, used once.
enum SetPasswordPage {
    struct Form: Content {
        var token: String?
        var password: String?
        var confirm: String?
    }

    static func show(req: Request) async throws -> Response {
        let token = req.query[String.self, at: "token"] ?? ""
        guard let (link, user) = try await PasswordLinks.find(token, now: req.application.clock.now(), on: req.db) else {
            return expired()
        }
        return render(token: token, email: user.email, invitation: link.purpose == .invitation, problems: [])
    }

    static func set(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        do {
            _ = try await req.accounts.setPassword(from: form.token ?? "", password: form.password ?? "", confirmation: form.confirm ?? "",
                                                    now: req.application.clock.now())
            let response = Layout.response(PageShell(title: "Password set"), .group(
                Components.notice(title: "Your password is set", .p(.text("Sign in with your email address and new password."))),
                .p(.a(.class("button"), .href(SiteURL.signIn.path), .text("Sign in")))
            ))
            SessionCookie.clear(on: response, secure: req.application.assureConfiguration.isServedOverTLS)
            return response
        } catch let error as AssureError where error.status == .notFound {
            return expired()
        } catch let error as AssureError where error.status.code < 500 {
            let user = try await PasswordLinks.find(form.token ?? "", now: req.application.clock.now(), on: req.db)
            return render(token: form.token ?? "", email: user?.1.email ?? "", invitation: user?.0.purpose == .invitation,
                          problems: error.problems, status: error.status)
        }
    }

    private static func expired() -> Response {
        Layout.response(PageShell(title: "Link not valid"), status: .notFound, .group(
            .h1(.text("This link is not valid")),
            .p(.text("It has expired, has already been used, or a newer link replaced it. Ask your Assure administrator for a new one."))
        ))
    }

    private static func render(token: String, email: String, invitation: Bool, problems: [AssureError.FieldProblem],
                               status: HTTPResponseStatus = .ok) -> Response {
        let title = invitation ? "Welcome to Assure" : "Choose a new password"
        return Layout.response(PageShell(title: problems.isEmpty ? title : "Error: \(title)"), status: status, .group(
            Components.errorSummary(problems, fieldIDs: ["password", "confirm"]),
            .h1(.text(title)),
            .p(.text("Choose a password for \(email). Use at least \(PasswordPolicy.minimumLength) characters; three random words work well. Common passwords and ones containing your name are refused.")),
            .form(
                .method(.post), .action(SiteURL.setPassword.path), .attribute(named: "novalidate"),
                Components.csrfField(),
                .input(.type(.hidden), .name("token"), .value(token)),
                Components.passwordField("password", "New password", autocomplete: "new-password", error: problems.message(for: "password")),
                Components.passwordField("confirm", "New password again", autocomplete: "new-password", error: problems.message(for: "confirm")),
                .button(.type(.submit), .class("button"), .text("Set password"))
            )
        ))
    }
}
