import AssureCore
import Fluent

/// Whom a person refused access should ask: the organisation administrators of the organisation
/// or, failing those, of the nearest organisation above it, then a system administrator. The
/// refusal reaches only someone who may read the organisation (otherwise it is a 404), so naming
/// its administrators tells them nothing they could not see.
enum AccessContacts {
    /// Up to three active administrators' names, nearest organisation first.
    static func administrators(of chain: [OrganisationRecord], on database: any Database) async throws -> [String] {
        // The chain runs from the top of the tree down to the organisation itself: later is nearer.
        let nearness = Dictionary(uniqueKeysWithValues: chain.enumerated().map { ($1.id, $0) })
        let memberships = try await OrganisationMembership.query(on: database)
            .filter(\.$organisation.$id ~~ chain.map { Optional($0.id) })
            .filter(\.$role == Role.orgAdmin.rawValue)
            .with(\.$user)
            .all()
        let ordered = memberships.filter { $0.user.status == .active }
            .map { (nearness: $0.$organisation.id.flatMap { nearness[$0] } ?? -1, name: $0.user.displayName) }
            .sorted { ($1.nearness, $0.name) < ($0.nearness, $1.name) }
        var names: [String] = []
        for entry in ordered where !names.contains(entry.name) { names.append(entry.name) }
        return Array(names.prefix(3))
    }

    /// The sentence a refusal ends with.
    static func advice(_ administrators: [String], organisation: String) -> String {
        guard !administrators.isEmpty else { return "To ask for access, contact your Assure system administrator." }
        let people = administrators.count == 1 ? administrators[0]
            : administrators.dropLast().joined(separator: ", ") + " or " + administrators[administrators.count - 1]
        return "To ask for access, contact \(people) (\(Words.noun(administrators.count, "organisation administrator")) for \(organisation)), or your Assure system administrator."
    }
}
