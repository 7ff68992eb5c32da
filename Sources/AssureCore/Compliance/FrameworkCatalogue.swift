/// A compliance framework as data (NCSC CAF, the DSPT, Cyber Essentials, DTAC…): identifiers and
/// short titles only, grouped as the publisher groups them, each item with the result levels it
/// allows. Versioned, attributed, and flagged `unverified` wherever the source was not confirmed.
public struct FrameworkCatalogue: Equatable, Sendable {
    public struct Level: Equatable, Sendable {
        public var id: String
        public var label: String
        public init(id: String, label: String) {
            self.id = id
            self.label = label
        }
    }

    /// An indicator of good practice (CAF IGP): a statement in one level's column that a person
    /// ticks when it is true of the organisation.
    public struct Indicator: Equatable, Sendable {
        public var id: String
        public var level: String
        public var title: String
        public init(id: String, level: String, title: String) {
            self.id = id
            self.level = level
            self.title = title
        }
    }

    public struct Item: Equatable, Sendable {
        public var id: String
        public var title: String
        /// The levels this item may be given (CAF: some outcomes have no "partially achieved").
        public var levels: [String]
        public var mandatory: Bool
        public var unverified: Bool
        /// Optional: when a catalogue supplies them, the result is graded from those ticked.
        public var indicators: [Indicator]
        public init(id: String, title: String, levels: [String], mandatory: Bool = false, unverified: Bool = false, indicators: [Indicator] = []) {
            self.id = id
            self.title = title
            self.levels = levels
            self.mandatory = mandatory
            self.unverified = unverified
            self.indicators = indicators
        }
    }

    public struct Group: Equatable, Sendable {
        public var id: String
        public var title: String
        public var groups: [Group]
        public var items: [Item]
        public init(id: String, title: String, groups: [Group] = [], items: [Item] = []) {
            self.id = id
            self.title = title
            self.groups = groups
            self.items = items
        }
    }

    /// A target level per item that a catalogue ships (e.g. a regulator's expected profile).
    public struct Profile: Equatable, Sendable {
        public var id: String
        public var title: String
        public var targets: [String: String]
        public init(id: String, title: String, targets: [String: String]) {
            self.id = id
            self.title = title
            self.targets = targets
        }
    }

    public var id: String
    public var version: String
    public var title: String
    public var publisher: String
    public var licence: String
    public var attribution: String
    public var published: String
    public var unverified: Bool
    /// Lowest first.
    public var levels: [Level]
    public var groups: [Group]
    public var profiles: [Profile]

    public init(id: String, version: String, title: String, publisher: String, licence: String, attribution: String, published: String,
                unverified: Bool, levels: [Level], groups: [Group], profiles: [Profile]) {
        self.id = id
        self.version = version
        self.title = title
        self.publisher = publisher
        self.licence = licence
        self.attribution = attribution
        self.published = published
        self.unverified = unverified
        self.levels = levels
        self.groups = groups
        self.profiles = profiles
    }

    /// `ncsc-caf@3.2`: how the CLI and pages name one version of one framework.
    public var key: String { "\(id)@\(version)" }

    /// Every item, in the publisher's order.
    public var items: [Item] {
        func collect(_ group: Group) -> [Item] { group.items + group.groups.flatMap(collect) }
        return groups.flatMap(collect)
    }

    /// A broken rule, with the id of the group, item or profile it is about (the loader turns it into a line).
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var at: String
        public var field: String
        public var message: String
        public init(at: String, field: String, message: String) {
            self.at = at
            self.field = field
            self.message = message
        }
        public var description: String { "\(at) \(field): \(message)" }
    }

    /// Unique ids, levels the catalogue defines, profiles that name real items and allowed levels.
    public func problems() -> [Problem] {
        var problems: [Problem] = []
        func require(_ value: String, _ field: String) {
            if value.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(Problem(at: "catalogue", field: field, message: "is required")) }
        }
        require(id, "id"); require(version, "version"); require(title, "title"); require(publisher, "publisher"); require(licence, "licence")
        if !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            problems.append(Problem(at: "catalogue", field: "id", message: "use letters, digits and hyphens only"))
        }
        let levelIDs = levels.map(\.id)
        if levels.isEmpty { problems.append(Problem(at: "catalogue", field: "levels", message: "define at least one result level")) }
        if Set(levelIDs).count != levelIDs.count { problems.append(Problem(at: "catalogue", field: "levels", message: "level ids must be unique")) }
        var seen = Set<String>()
        func visit(_ group: Group) {
            if !seen.insert(group.id).inserted { problems.append(Problem(at: group.id, field: "id", message: "'\(group.id)' is used more than once")) }
            if group.title.isEmpty { problems.append(Problem(at: group.id, field: "title", message: "is required")) }
            if group.groups.isEmpty && group.items.isEmpty { problems.append(Problem(at: group.id, field: "items", message: "a group needs groups or items")) }
            for item in group.items {
                if !seen.insert(item.id).inserted { problems.append(Problem(at: item.id, field: "id", message: "'\(item.id)' is used more than once")) }
                if item.title.isEmpty { problems.append(Problem(at: item.id, field: "title", message: "is required")) }
                if item.levels.isEmpty { problems.append(Problem(at: item.id, field: "levels", message: "name the levels this item allows")) }
                for level in item.levels where !levelIDs.contains(level) {
                    problems.append(Problem(at: item.id, field: "levels", message: "'\(level)' is not a level the catalogue defines (\(levelIDs.joined(separator: ", ")))"))
                }
                var indicatorIDs = Set<String>()
                for indicator in item.indicators {
                    if !indicatorIDs.insert(indicator.id).inserted { problems.append(Problem(at: item.id, field: "indicators", message: "'\(indicator.id)' is used more than once")) }
                    if !item.levels.contains(indicator.level) {
                        problems.append(Problem(at: item.id, field: "indicators", message: "\(indicator.id) is in the column '\(indicator.level)', which \(item.id) does not allow"))
                    }
                    if indicator.title.isEmpty { problems.append(Problem(at: item.id, field: "indicators", message: "\(indicator.id) needs a title")) }
                }
            }
            group.groups.forEach(visit)
        }
        groups.forEach(visit)
        if groups.isEmpty { problems.append(Problem(at: "catalogue", field: "groups", message: "a catalogue needs at least one group")) }
        let allowed = Dictionary(items.map { ($0.id, $0.levels) }, uniquingKeysWith: { first, _ in first })
        for profile in profiles {
            for (item, level) in profile.targets.sorted(by: { $0.key < $1.key }) {
                guard let levels = allowed[item] else {
                    problems.append(Problem(at: profile.id, field: "targets", message: "'\(item)' is not an item of this catalogue"))
                    continue
                }
                if !levels.contains(level) { problems.append(Problem(at: profile.id, field: "targets", message: "\(item) does not allow the level '\(level)'")) }
            }
        }
        return problems
    }
}

extension Array where Element == FrameworkCatalogue {
    /// `ncsc-caf@3.2` for one version, `ncsc-caf` for the newest.
    public func find(_ key: String) -> FrameworkCatalogue? {
        let parts = key.split(separator: "@", maxSplits: 1).map(String.init)
        guard let id = parts.first else { return nil }
        return filter { $0.id == id && (parts.count == 1 || $0.version == parts[1]) }.max { SoftwareVersion.isBefore($0.version, $1.version) }
    }
}
