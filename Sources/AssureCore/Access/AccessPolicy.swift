/// One role held in one organisation.
public struct Membership<Organisation: Hashable & Sendable>: Hashable, Sendable {
    public let organisation: Organisation
    public let role: Role
    public init(organisation: Organisation, role: Role) {
        self.organisation = organisation
        self.role = role
    }
}

/// The one permission function every route uses: may someone with these memberships do this
/// action to this organisation, given the organisations above it?
public enum AccessPolicy {
    /// - Parameters:
    ///   - memberships: every role the person holds (or an API token's single scoped role).
    ///   - action: what they ask to do; all of its bits must be permitted by one membership.
    ///   - target: the organisation the records belong to.
    ///   - ancestors: the organisations above the target, nearest first (not including it).
    public static func allows<Organisation>(
        _ memberships: [Membership<Organisation>], _ action: Actions, on target: Organisation, ancestors: [Organisation]
    ) -> Bool {
        for membership in memberships where membership.role.permitted.isSuperset(of: action) {
            if membership.role == .systemAdmin || membership.organisation == target { return true }
            if membership.role.reachesDescendants && ancestors.contains(membership.organisation) { return true }
        }
        return false
    }

    /// For actions that belong to no single organisation (creating a region, managing users).
    public static func allowsSystemWide<Organisation>(_ memberships: [Membership<Organisation>], _ action: Actions) -> Bool {
        memberships.contains { $0.role == .systemAdmin && $0.role.permitted.isSuperset(of: action) }
    }
}
