import AssureCore
import Vapor

/// Not signed in: pages send the person to sign in and back; the API answers 401.
struct SignInRequired: AbortError {
    var status: HTTPResponseStatus { .unauthorized }
    var reason: String { "Sign in first. The API takes a personal API token as Authorization: Bearer … (assure tokens create)." }
    var headers: HTTPHeaders { ["WWW-Authenticate": #"Bearer realm="Assure""#] }
}

extension Request {
    /// The signed-in person (or API token owner). Handlers take what this returns, never an optional.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw SignInRequired() }
        return identity
    }

    /// Moving an organisation to another parent needs the right to change organisations there too.
    func authoriseMove(from current: OrganisationRecord, to draft: OrganisationDraft) async throws {
        guard let newParent = draft.parentCode?.value else {
            // Taking an organisation to the top of the tree leaves every administrator's reach.
            if current.parentCode != nil { _ = try authoriseSystem(.administerSystem) }
            return
        }
        guard newParent != current.parentCode else { return }
        _ = try await organisationContext(.editOrganisation, code: newParent)
    }

    /// For what belongs to no single organisation: creating organisations, administering Assure.
    func authoriseSystem(_ action: Actions) throws -> Identity {
        let identity = try requireIdentity()
        guard AccessPolicy.allowsSystemWide(identity.memberships, action) else {
            throw AssureError(status: .forbidden, title: "Not permitted",
                              detail: "Only a system administrator may \(Actions.describe(action)). If you need to, ask your Assure system administrator.")
        }
        return identity
    }
}

extension Actions {
    static func describe(_ action: Actions) -> String {
        named.filter { action.contains($0.action) }.map(\.name).joined(separator: " and ")
    }
}

/// Which organisations a person may read, computed once per page from the whole tree: those where
/// a role holds, and every organisation below one where a reaching role holds.
struct ReadableOrganisations {
    let everything: Bool
    let codes: Set<String>

    init(_ identity: Identity, tree rows: [OrganisationTreeRow]) {
        if identity.memberships.contains(where: { $0.role == .systemAdmin }) {
            everything = true
            codes = []
            return
        }
        everything = false
        var children: [String: [String]] = [:]
        for row in rows { if let parent = row.parentCode { children[parent, default: []].append(row.odsCode) } }
        var readable = Set(identity.memberships.filter { $0.role.permitted.contains(.read) }.map(\.organisation))
        var queue = identity.memberships.filter { $0.role.reachesDescendants && $0.role.permitted.contains(.read) }.map(\.organisation)
        while let next = queue.popLast() {
            for child in children[next] ?? [] where readable.insert(child).inserted { queue.append(child) }
        }
        codes = readable
    }

    func contains(_ code: String) -> Bool { everything || codes.contains(code) }
}
