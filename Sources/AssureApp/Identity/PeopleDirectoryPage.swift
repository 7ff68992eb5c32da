import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// The people pages: `/people` (every account, for system administrators), `/people/{id}` and its
/// actions, and each organisation's `/organisations/{code}/people`.
struct PeoplePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.people.pathComponents, use: PeopleDirectoryPage.show)
        routes.post(SiteURL.people.pathComponents, use: PeopleDirectoryPage.create)
        routes.get(SiteURL.person(SiteURL.personID).pathComponents, use: PersonPage.show)
        for action in SiteURL.PersonAction.allCases {
            routes.post(SiteURL.personAction(SiteURL.personID, action).pathComponents, use: PersonPage.act(action))
        }
        routes.get(SiteURL.organisationPeople(SiteURL.code).pathComponents, use: OrganisationPeoplePage.show)
        routes.post(SiteURL.organisationPeople(SiteURL.code).pathComponents, use: OrganisationPeoplePage.add)
        routes.post(SiteURL.removeMember(SiteURL.code).pathComponents, use: OrganisationPeoplePage.remove)
    }
}

enum PeopleDirectoryPage {
    struct CreateForm: Content {
        var email: String?
        var display_name: String?
        var system_admin: String?
    }

    struct Model {
        var query: String
        var accounts: [UserAccounts.AccountSummary]
        var input = CreateForm()
        var problems: [AssureError.FieldProblem] = []
        var invitation: (email: String, link: String)?
    }

    static func show(req: Request) async throws -> Response {
        _ = try req.authoriseSystem(.administerSystem)
        let query = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let model = Model(query: query, accounts: try await matching(query, req))
        return Layout.response(shell(model), view(model))
    }

    static func create(req: Request) async throws -> Response {
        _ = try req.authoriseSystem(.administerSystem)
        let input = try req.content.decode(CreateForm.self)
        do {
            let invitation = try await req.accounts.createAccount(
                email: input.email ?? "", displayName: input.display_name ?? "", systemAdministrator: input.system_admin == "yes",
                baseURL: req.application.assureConfiguration.externalURL, now: req.application.clock.now())
            var model = Model(query: "", accounts: try await matching("", req))
            model.invitation = invitation.link.map { (invitation.user.email, $0) }
            return Layout.response(shell(model), view(model))
        } catch let error as AssureError where error.status.code < 500 {
            let model = Model(query: "", accounts: try await matching("", req), input: input,
                              problems: error.problems.isEmpty ? [.init(field: "email", message: error.detail)] : error.problems)
            return Layout.response(shell(model), status: error.status, view(model))
        }
    }

    private static func matching(_ query: String, _ req: Request) async throws -> [UserAccounts.AccountSummary] {
        let all = try await req.accounts.list()
        guard !query.isEmpty else { return all }
        let needle = query.lowercased()
        return all.filter { $0.email.contains(needle) || $0.displayName.lowercased().contains(needle) }
    }

    static func shell(_ model: Model) -> PageShell {
        PageShell(title: model.problems.isEmpty ? "People" : "Error: People")
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        return .group(
            Components.errorSummary(model.problems, fieldIDs: ["email", "display_name"]),
            .unwrap(model.invitation) { invitation in
                Components.notice(title: "Account created for \(invitation.email)",
                    .p(.text("Give this link to the person, by a route you trust. It lets them choose a password and works once, for 7 days. It will not be shown again. Then give them roles on each organisation's People page.")),
                    Components.secret(invitation.link))
            },
            .h1(.text("People")),
            .p(.class("lede"), .text("Every account in Assure. Roles are given on each organisation's People page.")),
            .form(
                .class("search-form"), .method(.get), .action(SiteURL.people.path), .attribute(named: "role", value: "search"),
                Components.textField(.init(id: "q", label: "Find a person", hint: "Name or email address", value: model.query, error: nil)),
                .button(.type(.submit), .class("button"), .text("Search"))
            ),
            model.accounts.isEmpty
                ? Components.emptyState(title: "No one matches", message: "No account has a name or email address containing '\(model.query)'.",
                                        actions: [("Show everyone", .people)])
                : Components.scrollableTable(label: "Accounts", .table(
                    .class("table"),
                    .caption(.text("\(Words.count(model.accounts.count, "account"))")),
                    .thead(.tr(.th(.text("Name")), .th(.text("Email")), .th(.text("Status")), .th(.text("Roles")))),
                    .tbody(.forEach(model.accounts) { account in
                        .tr(.td(account.id.map { .a(.href(SiteURL.person($0.uuidString).path), .text(account.displayName)) } ?? .text(account.displayName)),
                            .td(.text(account.email)),
                            .td(OrganisationPeoplePage.statusTag(account.status == "active" ? .active : .disabled)),
                            .td(.text(account.roles.isEmpty ? "None" : account.roles.map { "\($0.role.displayName) (\($0.organisation == "all" ? "all of Assure" : $0.organisation))" }.joined(separator: ", "))))
                    })
                )),
            .form(
                .class("panel"), .method(.post), .action(SiteURL.people.path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Add an account")),
                .p(.text("To add someone to an organisation, use that organisation's People page instead: it creates the account and gives the role in one step.")),
                Components.csrfField(),
                Components.textField(.init(id: "email", label: "Email address", value: model.input.email ?? "", error: model.problems.message(for: "email"))),
                Components.textField(.init(id: "display_name", label: "Full name", value: model.input.display_name ?? "", error: model.problems.message(for: "display_name"))),
                .div(.class("checkbox"),
                     .input(.type(.checkbox), .id("system_admin"), .name("system_admin"), .value("yes"), .checked(model.input.system_admin == "yes")),
                     .label(.for("system_admin"), .text("System administrator: may do everything, everywhere in Assure"))),
                .button(.type(.submit), .class("button"), .text("Add account"))
            )
        )
    }
}
