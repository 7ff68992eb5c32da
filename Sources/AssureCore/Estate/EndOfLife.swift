/// Support lifecycles from endoflife.date: a product (identified by CPE vendor:product prefixes)
/// has release cycles, each with an end-of-life that is a date, `true` (ended, date unknown) or
/// `false` (not announced).
public struct EndOfLifeProduct: Equatable, Sendable {
    public struct Cycle: Equatable, Sendable {
        public var cycle: String
        public var label: String
        public var releaseDate: CalendarDay?
        public var endOfLife: EndOfLifeDate
        public var latest: String?
        public var longTerm: Bool

        public init(cycle: String, label: String? = nil, releaseDate: CalendarDay? = nil, endOfLife: EndOfLifeDate, latest: String? = nil, longTerm: Bool = false) {
            self.cycle = cycle
            self.label = label ?? cycle
            self.releaseDate = releaseDate
            self.endOfLife = endOfLife
            self.latest = latest
            self.longTerm = longTerm
        }
    }

    public var name: String
    public var label: String
    /// vendor:product keys from the product's `cpe:2.3:` identifiers.
    public var cpeKeys: [String]
    public var cycles: [Cycle]

    public init(name: String, label: String, cpeKeys: [String], cycles: [Cycle]) {
        self.name = name
        self.label = label
        self.cpeKeys = cpeKeys
        self.cycles = cycles
    }

    /// The cycle a version belongs to: the longest cycle that is the version's leading parts
    /// (chrome 116 for 116.0.5845.140; oracle-jdk 8 for Java's 1.8.0_381).
    public func cycle(for version: String) -> Cycle? {
        let parts = SoftwareVersion.parts(version)
        let javaStyle = parts.count > 1 && parts[0] == "1" ? Array(parts.dropFirst()) : nil
        var best: Cycle?
        var bestLength = 0
        for cycle in cycles {
            let cycleParts = SoftwareVersion.parts(cycle.cycle)
            for candidate in [parts, javaStyle].compactMap({ $0 }) where candidate.count >= cycleParts.count && cycleParts.count > bestLength {
                if zip(candidate, cycleParts).allSatisfy({ SoftwareVersion.compare($0, $1) == 0 }) { best = cycle; bestLength = cycleParts.count }
            }
        }
        return best
    }
}

public enum EndOfLifeDate: Equatable, Sendable, CustomStringConvertible {
    case on(CalendarDay)
    case ended
    case notAnnounced

    /// From endoflife.date's field: a date, true or false.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "true": self = .ended
        case "false", "": self = .notAnnounced
        default:
            guard let day = CalendarDay(text) else { return nil }
            self = .on(day)
        }
    }

    public func hasPassed(on today: CalendarDay) -> Bool {
        switch self {
        case .on(let day): day <= today
        case .ended: true
        case .notAnnounced: false
        }
    }

    public var description: String {
        switch self {
        case .on(let day): day.description
        case .ended: "true"
        case .notAnnounced: "false"
        }
    }
}

/// Products by CPE key, for finding whether a device's component is past end of life.
public struct EndOfLifeIndex: Sendable {
    let byKey: [String: EndOfLifeProduct]
    let byName: [String: EndOfLifeProduct]

    public init(_ products: [EndOfLifeProduct]) {
        var byKey: [String: EndOfLifeProduct] = [:]
        for product in products { for key in product.cpeKeys where byKey[key] == nil { byKey[key] = product } }
        self.byKey = byKey
        byName = Dictionary(products.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var productCount: Int { byName.count }

    /// The lifecycle of a component: its product and cycle, when known.
    public func lifecycle(of cpe: CPE) -> (product: EndOfLifeProduct, cycle: EndOfLifeProduct.Cycle)? {
        guard let product = byKey[cpe.key] else { return nil }
        let version = cpe.version == CPE.any || cpe.version == CPE.notApplicable ? cpe.update : cpe.version
        guard let cycle = product.cycle(for: version) else { return nil }
        return (product, cycle)
    }

    /// The lifecycle of a Windows release, tried cycle by cycle.
    public func lifecycle(of windows: WindowsRelease) -> (product: EndOfLifeProduct, cycle: EndOfLifeProduct.Cycle)? {
        let (name, cycles) = windows.endOfLifeCycles
        guard let product = byName[name] else { return nil }
        for wanted in cycles { if let cycle = product.cycles.first(where: { $0.cycle == wanted }) { return (product, cycle) } }
        return nil
    }
}

extension SoftwareVersion {
    /// A version's parts as written ("1.8.0_381" → 1, 8, 0, 381).
    static func parts(_ version: String) -> [String] {
        version.split(whereSeparator: { separators.contains($0) }).map(String.init)
    }
}
