import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// One role a person holds, with where it sits in the tree (for the permission check).
struct HeldRole: Sendable {
    var membershipID: UUID
    var organisationCode: String?
    var organisationName: String?
    var role: Role
    var ancestors: [String]
}

extension Request {
    /// The account in the address, if the caller may administer it (`AccessPolicy.mayAdministerAccount`);
    /// otherwise reported as not found, so accounts cannot be probed.
    func authorisePerson() async throws -> (Identity, User, [HeldRole]) {
        let identity = try requireIdentity()
        let notFound = AssureError.notFound("No such person, or you do not administer their account")
        guard let raw = parameters.get(String(SiteURL.personID.dropFirst())), let id = UUID(uuidString: raw),
              let user = try await User.find(id, on: db) else { throw notFound }
        let held = try await HeldRoles.of(id, on: db)
        let roles = held.map { (membership: Membership(organisation: $0.organisationCode ?? "", role: $0.role), ancestors: $0.ancestors) }
        guard AccessPolicy.mayAdministerAccount(identity.memberships, holding: roles) else { throw notFound }
        return (identity, user, held)
    }
}

enum HeldRoles {
    static func of(_ userID: UUID, on db: any Database) async throws -> [HeldRole] {
        let rows = try await OrganisationMembership.query(on: db).filter(\.$user.$id == userID).with(\.$organisation).all()
        let directory = OrganisationDirectory(database: db)
        var held: [HeldRole] = []
        for row in rows {
            guard let role = Role(rawValue: row.role), let id = row.id else { continue }
            let code = row.organisation?.odsCode
            var ancestors: [String] = []
            if let code { ancestors = try await directory.ancestry(of: code).dropLast().map(\.odsCode) }
            held.append(HeldRole(membershipID: id, organisationCode: code, organisationName: row.organisation?.name, role: role, ancestors: ancestors))
        }
        return held.sorted { ($0.organisationCode ?? "", $0.role.rawValue) < ($1.organisationCode ?? "", $1.role.rawValue) }
    }
}

/// `/people/{id}`: one person's account for an administrator: roles everywhere, status, and the
/// actions that protect an account (disable, reset password, sign out everywhere).
enum PersonPage {
    struct Model {
        var user: User
        var roles: [HeldRole]
        var sessions: Int
        var tokens: Int
        var isSelf: Bool
        var notice: (title: String, text: String, secret: String?)?
    }

    static func show(req: Request) async throws -> Response {
        let (identity, user, roles) = try await req.authorisePerson()
        return try await render(req, user, roles, identity: identity, notice: nil)
    }

    static func act(_ action: SiteURL.PersonAction) -> @Sendable (Request) async throws -> Response {
        { req in
            let (identity, user, roles) = try await req.authorisePerson()
            let notice = try await req.accounts.perform(action, on: user, by: identity, baseURL: req.application.assureConfiguration.externalURL)
            return try await render(req, try await User.find(user.requireID(), on: req.db) ?? user, roles, identity: identity, notice: notice)
        }
    }

    private static func render(_ req: Request, _ user: User, _ roles: [HeldRole], identity: Identity,
                               notice: (title: String, text: String, secret: String?)?) async throws -> Response {
        let id = try user.requireID()
        let now = req.application.clock.now()
        let model = Model(
            user: user, roles: roles,
            sessions: try await SignInSession.query(on: req.db).filter(\.$user.$id == id).count(),
            tokens: try await APIToken.query(on: req.db).filter(\.$user.$id == id).filter(\.$revokedAt == nil).filter(\.$expiresAt > now).count(),
            isSelf: id == identity.userID, notice: notice)
        let crumbs: [PageShell.Breadcrumb] = AccessPolicy.allowsSystemWide(identity.memberships, .administerSystem) ? [.init(title: "People", url: .people)] : []
        return Layout.response(PageShell(title: user.displayName, breadcrumbs: crumbs), view(model))
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let user = model.user
        let id = user.id?.uuidString ?? ""
        return .group(
            .unwrap(model.notice) { notice in
                Components.notice(title: notice.title, .p(.text(notice.text)), .unwrap(notice.secret) { Components.secret($0) })
            },
            .span(.class("caption"), .text("Person")),
            .h1(.text(user.displayName)),
            Components.summaryList([
                ("Email address", .text(user.email)),
                ("Status", OrganisationPeoplePage.statusTag(user.status)),
                ("Last signed in", .text(user.lastSignInAt.map(LondonTime.format) ?? "Never")),
                ("Password", .text(user.passwordHash == nil ? "Not set (invitation or reset link outstanding, or single sign-on only)" : "Set")),
                ("Single sign-on", .text(user.ssoSubject == nil ? "Not linked yet" : "Linked")),
                ("Signed in now", .text(model.sessions == 0 ? "No sessions" : "\(Words.count(model.sessions, "session"))")),
                ("API tokens in use", .text("\(model.tokens)")),
            ]),
            .h2(.class("heading-m"), .text("Roles")),
            model.roles.isEmpty
                ? Components.emptyState(title: "No roles", message: "\(user.displayName) can sign in but sees nothing until someone gives them a role on an organisation's People page.", actions: [])
                : Components.scrollableTable(label: "Roles held", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Organisation")), .th(.text("Role")), .th(.text("What it allows")))),
                    .tbody(.forEach(model.roles) { held in
                        .tr(.td(held.organisationCode.map { code in
                                .a(.href(SiteURL.organisationPeople(code).path), .text("\(held.organisationName ?? code) (\(code))"))
                            } ?? .text("All of Assure")),
                            .td(.text(held.role.displayName)), .td(.text(held.role.summary)))
                    })
                )),
            .h2(.class("heading-m"), .text("Protect this account")),
            model.isSelf
                ? .p(.text("This is your own account. Change your password or sign out your other sessions from "), .a(.href(SiteURL.account.path), .text("Your account")), .text("."))
                : .div(.class("button-group"),
                    actionButton(id, user.status == .active ? .disable : .enable,
                                 user.status == .active ? "Disable account" : "Enable account", secondary: user.status != .active),
                    actionButton(id, .resetPassword, "Reset password", secondary: true),
                    actionButton(id, .signOutEverywhere, "Sign out everywhere", secondary: true))
        )
    }

    private static func actionButton(_ id: String, _ action: SiteURL.PersonAction, _ label: String, secondary: Bool) -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(SiteURL.personAction(id, action).path), Components.csrfField(),
              .button(.type(.submit), .class(secondary ? "button button--secondary" : "button button--warning"), .text(label)))
    }
}
