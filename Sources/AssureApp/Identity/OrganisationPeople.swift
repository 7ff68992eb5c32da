import AssureCore
import Fluent
import Foundation

/// Who holds a role in an organisation, and who reaches it with a role held above: read once for
/// the people page and the API.
struct OrganisationPeople {
    struct Member {
        var membershipID: UUID
        var userID: UUID
        var email: String
        var name: String
        var role: Role
        var status: User.Status
        var lastSignIn: Date?
        var organisation: String
    }

    var members: [Member]
    var reaching: [Member]

    static func load(_ context: OrganisationContext) async throws -> OrganisationPeople {
        let organisation = context.organisation
        let rows = try await OrganisationMembership.query(on: context.database).filter(\.$organisation.$id ~~ context.chain.map(\.id))
            .with(\.$user).with(\.$organisation).all()
        let members = rows.compactMap { row -> Member? in
            guard let role = Role(rawValue: row.role), let id = row.id, let userID = row.user.id else { return nil }
            return Member(membershipID: id, userID: userID, email: row.user.email, name: row.user.displayName, role: role,
                          status: row.user.status, lastSignIn: row.user.lastSignInAt, organisation: row.organisation?.odsCode ?? "")
        }.sorted { ($0.name.lowercased(), $0.role.rawValue) < ($1.name.lowercased(), $1.role.rawValue) }
        return OrganisationPeople(members: members.filter { $0.organisation == organisation.odsCode },
                                  reaching: members.filter { $0.organisation != organisation.odsCode && $0.role.reachesDescendants })
    }
}
