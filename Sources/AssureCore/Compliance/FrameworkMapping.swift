/// How an item of one framework relates to an item of another (as in NIST OLIR and OSCAL mappings):
/// the same requirement, a narrower one, a broader one, or overlapping only in part.
public enum MappingRelationship: String, CaseIterable, Codable, Sendable {
    case equal, subset, superset, intersects

    public var displayName: String {
        switch self {
        case .equal: "Equal"
        case .subset: "Subset of"
        case .superset: "Superset of"
        case .intersects: "Intersects"
        }
    }
}

/// A hand-made, reviewed crosswalk between two framework versions, item to item. A note says why
/// wherever judgement was used, so the person reading a mapped result can weigh it.
public struct FrameworkMapping: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var from: String
        public var to: String
        public var relationship: MappingRelationship
        public var note: String
        public init(from: String, to: String, relationship: MappingRelationship, note: String = "") {
            self.from = from
            self.to = to
            self.relationship = relationship
            self.note = note
        }
    }

    public var id: String
    public var title: String
    /// Catalogue keys, `ncsc-caf@3.2`.
    public var source: String
    public var target: String
    public var reviewed: String
    public var entries: [Entry]

    public init(id: String, title: String, source: String, target: String, reviewed: String, entries: [Entry]) {
        self.id = id
        self.title = title
        self.source = source
        self.target = target
        self.reviewed = reviewed
        self.entries = entries
    }

    /// Every entry must join real items of the two catalogues, once each; judgement needs a note.
    public func problems(source sourceCatalogue: FrameworkCatalogue?, target targetCatalogue: FrameworkCatalogue?) -> [FrameworkCatalogue.Problem] {
        var problems: [FrameworkCatalogue.Problem] = []
        guard let sourceCatalogue else { return [.init(at: "mapping", field: "source", message: "'\(source)' is not a known catalogue")] }
        guard let targetCatalogue else { return [.init(at: "mapping", field: "target", message: "'\(target)' is not a known catalogue")] }
        let sourceItems = Set(sourceCatalogue.items.map(\.id)), targetItems = Set(targetCatalogue.items.map(\.id))
        var seen = Set<String>()
        for (index, entry) in entries.enumerated() {
            let at = "entries[\(index)]"
            if !sourceItems.contains(entry.from) { problems.append(.init(at: at, field: "from", message: "'\(entry.from)' is not an item of \(source)")) }
            if !targetItems.contains(entry.to) { problems.append(.init(at: at, field: "to", message: "'\(entry.to)' is not an item of \(target)")) }
            if !seen.insert("\(entry.from)→\(entry.to)").inserted { problems.append(.init(at: at, field: "to", message: "\(entry.from) → \(entry.to) is mapped twice")) }
            if entry.relationship != .equal, entry.note.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(.init(at: at, field: "note", message: "say why \(entry.from) is '\(entry.relationship.rawValue)' \(entry.to)"))
            }
        }
        return problems
    }

    /// The entries that touch `item` of the catalogue `key`, seen from that side (reversed where needed).
    public func related(to item: String, in key: String) -> [(other: String, item: String, relationship: MappingRelationship, note: String)] {
        if key == source {
            return entries.filter { $0.from == item }.map { (target, $0.to, $0.relationship, $0.note) }
        }
        if key == target {
            return entries.filter { $0.to == item }.map { (source, $0.from, $0.relationship.reversed, $0.note) }
        }
        return []
    }
}

extension MappingRelationship {
    /// The same relationship read from the other side.
    public var reversed: MappingRelationship {
        switch self {
        case .subset: .superset
        case .superset: .subset
        case .equal, .intersects: self
        }
    }
}

/// Carrying results into a new period or a new version of a framework.
public enum CopyForward {
    public struct Carried: Equatable, Sendable {
        public var item: String
        public var level: String
        public var from: String
        public init(item: String, level: String, from: String) {
            self.item = item
            self.level = level
            self.from = from
        }
    }

    /// Only an `equal` relationship carries a result: a subset or overlap says too little about the
    /// new item to assume its level. The level must exist for the new item (CAF 4.0 may drop a
    /// "partially achieved"), and where two old items map to one new one the lower result wins.
    public static func carry(results: [String: String], from source: FrameworkCatalogue, to target: FrameworkCatalogue,
                             through mapping: FrameworkMapping?) -> [Carried] {
        let targetItems = Dictionary(target.items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var pairs: [(from: String, to: String)]
        if source.key == target.key {
            pairs = results.keys.map { ($0, $0) }
        } else if let mapping {
            let forwards = mapping.source == source.key
            pairs = mapping.entries.filter { $0.relationship == .equal }.map { forwards ? ($0.from, $0.to) : ($0.to, $0.from) }
        } else {
            pairs = []
        }
        var carried: [String: Carried] = [:]
        for pair in pairs {
            guard let level = results[pair.from], let item = targetItems[pair.to], item.levels.contains(level) else { continue }
            if let existing = carried[pair.to], !target.isBelow(level, target: existing.level) { continue }
            carried[pair.to] = Carried(item: pair.to, level: level, from: pair.from)
        }
        return carried.values.sorted { $0.item.compare($1.item, options: .numeric) == .orderedAscending }
    }
}
