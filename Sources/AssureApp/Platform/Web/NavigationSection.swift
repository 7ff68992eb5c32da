import AssureCore

/// One entry in the main navigation, declared by the domain it leads to (its module lists it).
/// Pages name their entry (`section: .risks`) so the bar marks where the reader is.
struct NavigationSection: Sendable, Equatable {
    typealias Visibility = @Sendable (_ memberships: [Membership<String>], _ code: String, _ ancestors: [String]) -> Bool

    let id: String
    let title: String
    /// Where the entry sits in the bar, lowest first: a new domain picks a number in a gap.
    let position: Int
    /// Entries about one organisation appear only when one is in view.
    let needsOrganisation: Bool
    let destination: @Sendable (_ code: String) -> SiteURL
    /// Whether the link is offered; by default to anyone who can see the organisation.
    let isShown: Visibility

    init(id: String, title: String, position: Int, needsOrganisation: Bool = true,
         isShown: @escaping Visibility = { _, _, _ in true }, destination: @escaping @Sendable (_ code: String) -> SiteURL) {
        self.id = id
        self.title = title
        self.position = position
        self.needsOrganisation = needsOrganisation
        self.isShown = isShown
        self.destination = destination
    }

    static func == (left: NavigationSection, right: NavigationSection) -> Bool { left.id == right.id }

    /// The entries shown for an organisation in view (or none), in bar order.
    static func shown(_ sections: [NavigationSection], organisation code: String?, ancestors: [String],
                      memberships: [Membership<String>]) -> [NavigationSection] {
        sections.filter { section in
            guard section.needsOrganisation else { return true }
            guard let code else { return false }
            return section.isShown(memberships, code, ancestors)
        }
        .sorted { $0.position < $1.position }
    }
}
