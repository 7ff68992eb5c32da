import Foundation

/// The shape of the organisation tree, enough to check where an organisation may be placed.
public struct OrganisationHierarchy: Sendable {
    public struct Node: Equatable, Sendable {
        public let code: ODSCode
        public let type: OrganisationType
        public let parentCode: ODSCode?
        public init(code: ODSCode, type: OrganisationType, parentCode: ODSCode?) {
            self.code = code
            self.type = type
            self.parentCode = parentCode
        }
    }

    public private(set) var nodes: [ODSCode: Node]

    public init(_ nodes: [Node] = []) {
        self.nodes = Dictionary(nodes.map { ($0.code, $0) }, uniquingKeysWith: { _, last in last })
    }

    public mutating func place(_ node: Node) { nodes[node.code] = node }

    /// Checks a new or changed organisation against the tree: its parent exists, is of a type it
    /// may sit under, does not make it its own ancestor, and its children may still sit under it.
    public func check(_ draft: OrganisationDraft) throws(RuleError) {
        guard let parentCode = draft.parentCode else {
            guard draft.type.mayBeRoot else {
                let parents = draft.type.allowedParentTypes.map(\.withArticle).sorted().joined(separator: " or ")
                throw RuleError(field: "parent_ods_code", message: "\(draft.type.withArticle.capitalisedFirst) must have a parent (\(parents))")
            }
            try checkChildren(of: draft)
            return
        }
        guard let parent = nodes[parentCode] else {
            throw RuleError(field: "parent_ods_code", message: "Parent organisation '\(parentCode)' does not exist")
        }
        if ancestry(from: parentCode).contains(draft.odsCode) {
            throw RuleError(
                field: "parent_ods_code",
                message: "Placing \(draft.odsCode) under \(parentCode) would create a cycle: \(parentCode) is \(draft.odsCode) or sits below it"
            )
        }
        guard draft.type.allowedParentTypes.contains(parent.type) else {
            let parents = draft.type.allowedParentTypes.map(\.withArticle).sorted().joined(separator: " or ")
            throw RuleError(
                field: "parent_ods_code",
                message: "\(draft.type.withArticle.capitalisedFirst) cannot sit under \(parent.type.withArticle) (\(parentCode)); its parent must be \(parents)"
            )
        }
        try checkChildren(of: draft)
    }

    /// The codes from `code` up to the root, `code` first. Stops if it meets a code twice.
    public func ancestry(from code: ODSCode) -> [ODSCode] {
        var chain: [ODSCode] = []
        var seen: Set<ODSCode> = []
        var current: ODSCode? = code
        while let here = current, seen.insert(here).inserted {
            chain.append(here)
            current = nodes[here]?.parentCode
        }
        return chain
    }

    /// Whether following parents from any organisation ever returns to it.
    public var containsCycle: Bool {
        nodes.keys.contains { code in
            guard let parent = nodes[code]?.parentCode else { return false }
            return ancestry(from: parent).contains(code)
        }
    }

    private func checkChildren(of draft: OrganisationDraft) throws(RuleError) {
        let children = nodes.values.filter { $0.parentCode == draft.odsCode }
        if let misfit = children.sorted(by: { $0.code < $1.code }).first(where: { !$0.type.allowedParentTypes.contains(draft.type) }) {
            throw RuleError(
                field: "type",
                message: "\(draft.odsCode) cannot become \(draft.type.withArticle): \(misfit.code) (\(misfit.type.withArticle)) sits under it"
            )
        }
    }
}

extension String {
    /// The first letter upper-cased, the rest as written ("an NHS trust" → "An NHS trust").
    public var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}
