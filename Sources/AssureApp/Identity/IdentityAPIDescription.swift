import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static func userAction(_ action: SiteURL.PersonAction) -> APIOperation {
        switch action {
        case .disable: userDisable
        case .enable: userEnable
        case .resetPassword: userResetPassword
        case .signOutEverywhere: userSignOutEverywhere
        }
    }

    static let listMembers = APIOperation(
        id: "listMembers", tag: "people",
        summary: "Everyone with a role in the organisation (organisation administrators)",
        problems: [401, 403, 404])

    static let addMember = APIOperation(
        id: "addMember", tag: "people",
        summary: "Give a person a role here, creating their account (with an invitation link) if new",
        body: [.json(PeopleAPI.MemberInput.self)],
        problems: [400, 401, 403, 404, 409, 415, 422])

    static let removeMember = APIOperation(
        id: "removeMember", tag: "people",
        summary: "Remove one role held in the organisation",
        problems: [401, 403, 404, 422])

    static let listUsers = APIOperation(
        id: "listUsers", tag: "people",
        summary: "Every account (system administrators)",
        problems: [401, 403])

    static let createUser = APIOperation(
        id: "createUser", tag: "people",
        summary: "Create an account with an invitation link (system administrators)",
        body: [.json(PeopleAPI.UserInput.self)],
        problems: [400, 401, 403, 409, 415, 422])

    static let readUser = APIOperation(
        id: "readUser", tag: "people",
        summary: "One account, for someone who may administer it",
        problems: [401, 404])

    static let userDisable = APIOperation(
        id: "userDisable", tag: "people",
        summary: "Disable the account and end its sessions",
        problems: [401, 404, 409])

    static let userEnable = APIOperation(
        id: "userEnable", tag: "people",
        summary: "Enable the account",
        problems: [401, 404, 409])

    static let userResetPassword = APIOperation(
        id: "userResetPassword", tag: "people",
        summary: "Clear the password, end its sessions and issue a set-password link",
        problems: [401, 404, 409])

    static let userSignOutEverywhere = APIOperation(
        id: "userSignOutEverywhere", tag: "people",
        summary: "End every session of the account",
        problems: [401, 404, 409])
}

extension PeopleAPI.MemberDTO: APISchema {
    static let schemaName = "Member"
    static let fieldNotes: [String: JSON] = [
        "id": ["description": "The membership's id"],
        "role": ["enum": .values(of: Role.self)],
        "status": ["enum": .values(of: User.Status.self)],
    ]
}

extension PeopleAPI.MemberList: APISchema {
    static let schemaName = "MemberList"
}

extension PeopleAPI.MemberInput: APISchema {
    static let schemaName = "MemberInput"
    static let schemaNotes: [String: JSON] = ["required": ["email", "role"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "email": ["maxLength": 254],
        "display_name": ["maxLength": 200, "description": "Needed only when Assure has no account for this email address"],
        "role": ["enum": .strings(Role.allCases.filter { $0 != .systemAdmin }.map(\.rawValue))],
    ]
}

extension PeopleAPI.AddedMember: APISchema {
    static let schemaName = "AddedMember"
    static let fieldNotes: [String: JSON] = [
        "invitation_link": ["description": "For a new account only, shown once: the link that lets the person choose a password"],
    ]
}

extension PeopleAPI.UserDTO: APISchema {
    static let schemaName = "User"
    static let fieldNotes: [String: JSON] = [
        "status": ["enum": .values(of: User.Status.self)],
    ]
}

extension PeopleAPI.UserList: APISchema {
    static let schemaName = "UserList"
}

extension PeopleAPI.UserInput: APISchema {
    static let schemaName = "UserInput"
    static let schemaNotes: [String: JSON] = ["required": ["display_name", "email"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "email": ["maxLength": 254],
        "display_name": ["maxLength": 200],
    ]
}

extension PeopleAPI.CreatedUser: APISchema {
    static let schemaName = "CreatedUser"
}

extension PeopleAPI.ActionResult: APISchema {
    static let schemaName = "UserActionResult"
    static let fieldNotes: [String: JSON] = [
        "password_reset_link": ["description": "reset-password only, shown once"],
    ]
}
