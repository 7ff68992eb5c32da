import AssureCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/organisations/{code}/members` and `/api/v1/users`: the people pages' operations for
/// other systems (e.g. a trust's joiners-movers-leavers process). Same rules, same audit.
struct PeopleAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.members(SiteURL.code)), .listMembers, use: members)
        routes.api(.POST, .api(.members(SiteURL.code)), .addMember, use: addMember)
        routes.api(.DELETE, .api(.member(SiteURL.code, SiteURL.membershipID)), .removeMember, use: removeMember)
        routes.api(.GET, .api(.users), .listUsers, use: users)
        routes.api(.POST, .api(.users), .createUser, use: createUser)
        routes.api(.GET, .api(.user(SiteURL.personID)), .readUser, use: user)
        for action in SiteURL.PersonAction.allCases {
            routes.api(.POST, .api(.userAction(SiteURL.personID, action)), .userAction(action)) { req in try await act(action, req) }
        }
    }

    struct MemberDTO: Content {
        var id: UUID
        var user_id: UUID
        var email: String
        var display_name: String
        var role: String
        var status: String
    }

    struct MemberList: Content {
        var organisation: String
        var members: [MemberDTO]
    }

    struct MemberInput: Content {
        var email: String?
        var display_name: String?
        var role: String?
    }

    struct AddedMember: Content {
        var member: MemberDTO
        var account_created: Bool
        /// Only for a new account, shown once: the link to set a password.
        var invitation_link: String?
    }

    func members(req: Request) async throws -> MemberList {
        let context = try await req.organisationContext(.manageMemberships)
        let organisation = context.organisation
        return MemberList(organisation: organisation.odsCode, members: try await OrganisationPeople.load(context).members.map {
            MemberDTO(id: $0.membershipID, user_id: $0.userID, email: $0.email, display_name: $0.name, role: $0.role.rawValue, status: $0.status.rawValue)
        })
    }

    func addMember(req: Request) async throws -> Created<AddedMember> {
        let organisation = try await req.organisationContext(.manageMemberships).organisation
        let input = try req.decodeJSON(MemberInput.self)
        let invitation = try await req.accounts.addMember(email: input.email ?? "", displayName: input.display_name, role: input.role ?? "",
                                                         organisation: organisation, baseURL: req.application.assureConfiguration.externalURL,
                                                         now: req.application.clock.now())
        let userID = try invitation.user.requireID()
        let role = (input.role ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard let membership = try await OrganisationMembership.query(on: req.db).filter(\.$user.$id == userID)
                .filter(\.$organisation.$id == organisation.id).filter(\.$role == role).first(), let id = membership.id else {
            throw AssureError.notFound("The new membership could not be read back")
        }
        let body = AddedMember(member: MemberDTO(id: id, user_id: userID, email: invitation.user.email, display_name: invitation.user.displayName,
                                                 role: role, status: invitation.user.status.rawValue),
                               account_created: invitation.created, invitation_link: invitation.link)
        return Created(body)
    }

    func removeMember(req: Request) async throws -> HTTPStatus {
        let organisation = try await req.organisationContext(.manageMemberships).organisation
        guard let id = req.parameters.get(String(SiteURL.membershipID.dropFirst())).flatMap(UUID.init(uuidString:)) else {
            throw AssureError.invalid([RuleError(field: "membership", message: "The membership id in the address is not a valid id")])
        }
        try await req.accounts.removeMembership(id, in: organisation)
        return .noContent
    }

    struct UserDTO: Content {
        struct RoleDTO: Content {
            var organisation: String?
            var role: String
        }

        var id: UUID
        var email: String
        var display_name: String
        var status: String
        var last_sign_in_at: Date?
        var password_set: Bool
        var single_sign_on_linked: Bool
        var roles: [RoleDTO]
    }

    struct UserList: Content { var users: [UserDTO] }

    struct UserInput: Content {
        var email: String?
        var display_name: String?
        var system_admin: Bool?
    }

    struct CreatedUser: Content {
        var user: UserDTO
        var invitation_link: String?
    }

    struct ActionResult: Content {
        var user: UserDTO
        var message: String
        /// Only for reset-password, shown once.
        var password_reset_link: String?
    }

    func users(req: Request) async throws -> UserList {
        _ = try req.authoriseSystem(.administerSystem)
        let users = try await User.query(on: req.db).sort(\.$email).all()
        let memberships = try await OrganisationMembership.query(on: req.db).with(\.$organisation).all()
        let byUser = Dictionary(grouping: memberships, by: { $0.$user.id })
        return UserList(users: try users.map { user in
            try Self.dto(user, roles: (byUser[try user.requireID()] ?? []).map { .init(organisation: $0.organisation?.odsCode, role: $0.role) })
        })
    }

    func createUser(req: Request) async throws -> Created<CreatedUser> {
        _ = try req.authoriseSystem(.administerSystem)
        let input = try req.decodeJSON(UserInput.self)
        let invitation = try await req.accounts.createAccount(email: input.email ?? "", displayName: input.display_name ?? "",
                                                             systemAdministrator: input.system_admin ?? false,
                                                             baseURL: req.application.assureConfiguration.externalURL, now: req.application.clock.now())
        let roles = try await HeldRoles.of(try invitation.user.requireID(), on: req.db)
        let body = CreatedUser(user: try Self.dto(invitation.user, roles: roles.map { .init(organisation: $0.organisationCode, role: $0.role.rawValue) }),
                               invitation_link: invitation.link)
        return Created(body, at: .api(.user(try invitation.user.requireID().uuidString)))
    }

    func user(req: Request) async throws -> UserDTO {
        let (_, user, roles) = try await req.authorisePerson()
        return try Self.dto(user, roles: roles.map { .init(organisation: $0.organisationCode, role: $0.role.rawValue) })
    }

    func act(_ action: SiteURL.PersonAction, _ req: Request) async throws -> ActionResult {
        let (identity, user, roles) = try await req.authorisePerson()
        let outcome = try await req.accounts.perform(action, on: user, by: identity, baseURL: req.application.assureConfiguration.externalURL)
        let updated = try await User.find(user.requireID(), on: req.db) ?? user
        return ActionResult(user: try Self.dto(updated, roles: roles.map { .init(organisation: $0.organisationCode, role: $0.role.rawValue) }),
                            message: outcome.text, password_reset_link: outcome.secret)
    }

    static func dto(_ user: User, roles: [UserDTO.RoleDTO]) throws -> UserDTO {
        UserDTO(id: try user.requireID(), email: user.email, display_name: user.displayName, status: user.status.rawValue,
                last_sign_in_at: user.lastSignInAt, password_set: user.passwordHash != nil, single_sign_on_linked: user.ssoSubject != nil,
                roles: roles.sorted { ($0.organisation ?? "", $0.role) < ($1.organisation ?? "", $1.role) })
    }
}
