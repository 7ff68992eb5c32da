import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/people`: who holds which role in an organisation, who reaches it from
/// above, and a form to add someone (creating their account and an invitation link if Assure
/// does not know them). For organisation and system administrators.
enum OrganisationPeoplePage {
    struct AddForm: Content {
        var email: String?
        var display_name: String?
        var role: String?
    }

    typealias Member = OrganisationPeople.Member

    struct Model {
        var organisation: OrganisationRecord
        var members: [Member]
        var reaching: [Member]
        var grantable: [Role]
        var ancestors: [String]
        var input = AddForm()
        var problems: [AssureError.FieldProblem] = []
        var invitation: (email: String, link: String)?
        var added: String?
    }

    static func show(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.manageMemberships)
        let page = try await model(context, on: req)
        return Layout.response(shell(page), view(page))
    }

    static func add(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.manageMemberships)
        let organisation = context.organisation
        let input = try req.content.decode(AddForm.self)
        var page = try await model(context, on: req)
        page.input = input
        do {
            let invitation = try await req.accounts.addMember(
                email: input.email ?? "", displayName: input.display_name, role: input.role ?? "", organisation: organisation,
                baseURL: req.application.assureConfiguration.externalURL, now: req.application.clock.now())
            page = try await model(context, on: req)
            page.added = "\(invitation.user.displayName) (\(invitation.user.email)) is now \(Role(rawValue: input.role ?? "")?.displayName.lowercased() ?? "a member") in \(organisation.name)."
            if let link = invitation.link { page.invitation = (invitation.user.email, link) }
            return Layout.response(shell(page), view(page))
        } catch let error as AssureError where error.status.code < 500 {
            page.problems = error.problems.isEmpty ? [.init(field: "email", message: error.detail)] : error.problems
            return Layout.response(shell(page), status: error.status, view(page))
        }
    }

    static func remove(req: Request) async throws -> Response {
        let organisation = try await req.organisationContext(.manageMemberships).organisation
        guard let id = (try? req.content.get(String.self, at: "membership")).flatMap(UUID.init(uuidString:)) else {
            throw AssureError.invalid([RuleError(field: "membership", message: "Choose the role to remove")])
        }
        try await req.accounts.removeMembership(id, in: organisation)
        return req.redirect(to: SiteURL.organisationPeople(organisation.odsCode).path, redirectType: .normal)
    }

    static func model(_ context: OrganisationContext, on req: Request) async throws -> Model {
        let organisation = context.organisation, above = context.chain.dropLast()
        let people = try await OrganisationPeople.load(context)
        return Model(
            organisation: organisation,
            members: people.members,
            reaching: people.reaching,
            grantable: AccessPolicy.grantableRoles(by: context.person?.memberships ?? [], in: organisation.odsCode, ancestors: above.reversed().map(\.odsCode)),
            ancestors: above.map(\.odsCode))
    }

    static func shell(_ model: Model) -> PageShell {
        let organisation = model.organisation
        return PageShell(title: model.problems.isEmpty ? "People" : "Error: People",
                         breadcrumbs: [.init(title: "Organisations", url: .organisations), .init(title: organisation.name, url: .organisation(organisation.odsCode))],
                         organisation: (organisation.odsCode, organisation.name), section: .people, ancestors: model.ancestors)
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.organisation.odsCode
        return .group(
            Components.errorSummary(model.problems, fieldIDs: ["email", "display_name", "role"]),
            .unwrap(model.added) { Components.notice(title: "Added", .p(.text($0))) },
            .unwrap(model.invitation) { invitation in
                Components.notice(title: "Invitation link for \(invitation.email)",
                    .p(.text("Give this link to the person, by a route you trust. It lets them choose a password and works once, for 7 days. It will not be shown again. If single sign-on is set up, they can use that instead.")),
                    Components.secret(invitation.link))
            },
            .h1(.text("People in \(model.organisation.name)")),
            .p(.class("lede"), .text("Everyone with a role here. Roles decide what each person may see and change in \(model.organisation.name); organisation administrators and oversight roles also reach the organisations below.")),
            model.members.isEmpty
                ? Components.emptyState(title: "No one has a role here yet",
                                        message: "Add the first person below, for example the information governance lead as a manager.", actions: [])
                : Components.scrollableTable(label: "People with a role in \(model.organisation.name)", membersTable(model.members, code: code, removable: true)),
            .if(!model.reaching.isEmpty, .group(
                .h2(.class("heading-m"), .text("Roles held above that reach here")),
                Components.scrollableTable(label: "Roles reaching from above", membersTable(model.reaching, code: code, removable: false))
            )),
            addForm(model)
        )
    }

    private static func membersTable(_ members: [Member], code: String, removable: Bool) -> Node<HTML.BodyContext> {
        .table(
            .class("table"),
            .thead(.tr(.th(.text("Name")), .th(.text("Email")), .th(.text("Role")), .th(.text(removable ? "Status" : "Held in")),
                       .th(.text("Last signed in")), .if(removable, .th(.span(.class("visually-hidden"), .text("Actions")))))),
            .tbody(.forEach(members) { member in
                .tr(
                    .td(.a(.href(SiteURL.person(member.userID.uuidString).path), .text(member.name))),
                    .td(.text(member.email)),
                    .td(.text(member.role.displayName)),
                    .td(removable ? statusTag(member.status) : .a(.href(SiteURL.organisation(member.organisation).path), .text(member.organisation))),
                    .td(.text(member.lastSignIn.map(LondonTime.format) ?? "Never")),
                    .if(removable, .td(.form(
                        .method(.post), .action(SiteURL.removeMember(code).path), Components.csrfField(),
                        .input(.type(.hidden), .name("membership"), .value(member.membershipID.uuidString)),
                        .button(.type(.submit), .class("link-button"), .text("Remove role"),
                                .ariaLabel("Remove the role \(member.role.displayName.lowercased()) from \(member.name)"))
                    )))
                )
            })
        )
    }

    static func statusTag<C: HTML.BodyContext>(_ status: User.Status) -> Node<C> {
        .span(.class(status == .active ? "tag tag--green" : "tag tag--grey"), .text(status == .active ? "Active" : "Disabled"))
    }

    private static func addForm(_ model: Model) -> Node<HTML.BodyContext> {
        return .form(
            .class("panel"), .method(.post), .action(SiteURL.organisationPeople(model.organisation.odsCode).path), .attribute(named: "novalidate"),
            .h2(.class("heading-m"), .text("Add a person")),
            .p(.text("If they have no Assure account yet, one is created and you get a link to pass on so they can set a password.")),
            Components.csrfField(),
            Components.textField(.init(id: "email", label: "Email address", hint: "Their NHS.net or organisation email address",
                                       value: model.input.email ?? "", error: model.problems.message(for: "email"))),
            Components.textField(.init(id: "display_name", label: "Full name", hint: "Needed only for a new account",
                                       value: model.input.display_name ?? "", error: model.problems.message(for: "display_name"))),
            Components.selectField(.init(id: "role", label: "Role", hint: "What they may do in \(model.organisation.name)",
                                         value: model.input.role ?? Role.viewer.rawValue, error: model.problems.message(for: "role")),
                                   options: model.grantable.map { ($0.rawValue, "\($0.displayName): \($0.summary)") }),
            .button(.type(.submit), .class("button"), .text("Add person"))
        )
    }
}

extension Request {
    var accounts: UserAccounts {
        UserAccounts(database: db, audit: auditContext, threadPool: application.threadPool, clock: application.clock)
    }
}
