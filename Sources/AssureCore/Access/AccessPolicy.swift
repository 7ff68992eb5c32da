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

extension AccessPolicy {
    /// May an administrator change a person's account (disable, reset its password, end its
    /// sessions)? A system administrator may change any; an organisation administrator only an
    /// account whose every role lies where they manage memberships, so a trust's administrator
    /// cannot lock someone out of another trust. System administrators are changed only by their own.
    public static func mayAdministerAccount<Organisation>(
        _ administrator: [Membership<Organisation>], holding roles: [(membership: Membership<Organisation>, ancestors: [Organisation])]
    ) -> Bool {
        if allowsSystemWide(administrator, .administerSystem) { return true }
        guard !roles.isEmpty else { return false }
        return roles.allSatisfy { held in
            held.membership.role != .systemAdmin
                && allows(administrator, .manageMemberships, on: held.membership.organisation, ancestors: held.ancestors)
        }
    }

    /// Which roles an administrator may grant in an organisation: any but system-admin where they
    /// manage memberships; system-admin only by a system administrator.
    public static func grantableRoles<Organisation>(
        by administrator: [Membership<Organisation>], in organisation: Organisation, ancestors: [Organisation]
    ) -> [Role] {
        guard allows(administrator, .manageMemberships, on: organisation, ancestors: ancestors) else { return [] }
        return Role.allCases.filter { $0 != .systemAdmin }
    }
}

extension AccessPolicy {
    /// What an API token may do now: the lower of the role it was issued with and what its owner
    /// holds there today, checked on every request, so a token never outlives its owner's grant.
    /// Roles are ordered by what they permit (`Role.isNoHigher(than:)`), so "the lower" is the
    /// strongest role that both the token's role and one of the owner's current roles cover.
    /// Nil when the owner holds nothing there any more. A system administrator's token (no
    /// organisation) needs its owner to be a system administrator still.
    public static func effectiveTokenRole<Organisation>(
        scope: Role, organisation: Organisation?, ancestors: [Organisation], owner: [Membership<Organisation>]
    ) -> Role? {
        let applicable = owner.filter { membership in
            if membership.role == .systemAdmin { return true }
            guard let organisation else { return false }
            return membership.organisation == organisation || (membership.role.reachesDescendants && ancestors.contains(membership.organisation))
        }.map(\.role)
        if organisation == nil { return scope == .systemAdmin && applicable.contains(.systemAdmin) ? .systemAdmin : nil }
        if applicable.contains(where: { scope.isNoHigher(than: $0) }) { return scope }
        let covered = Role.allCases.filter { candidate in
            candidate != .systemAdmin && candidate.isNoHigher(than: scope) && applicable.contains { candidate.isNoHigher(than: $0) }
        }
        return covered.max { $0.permitted.rawValue.nonzeroBitCount < $1.permitted.rawValue.nonzeroBitCount }
    }
}
