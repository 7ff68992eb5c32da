import Dispatch

/// What the knowledge base says about one CVE beyond where it applies: its CVSS base score, when
/// it was published, and whether CISA lists it as exploited (and used in ransomware campaigns).
public struct CVEFacts: Equatable, Sendable {
    public var score: Double?
    public var published: CalendarDay?
    public var exploitedSince: CalendarDay?
    public var ransomware: Bool

    public init(score: Double? = nil, published: CalendarDay? = nil, exploitedSince: CalendarDay? = nil, ransomware: Bool = false) {
        self.score = score
        self.published = published
        self.exploitedSince = exploitedSince
        self.ransomware = ransomware
    }

    public var knownExploited: Bool { exploitedSince != nil }
    public var severity: Severity { Severity(score: score) }
}

public enum Severity: Int, Comparable, CaseIterable, Sendable {
    case none = 0, low, medium, high, critical

    /// CVSS v3 qualitative ratings.
    public init(score: Double?) {
        guard let score else { self = .none; return }
        switch score {
        case 9.0...: self = .critical
        case 7.0..<9.0: self = .high
        case 4.0..<7.0: self = .medium
        case 0.1..<4.0: self = .low
        default: self = .none
        }
    }

    public init?(name: String) {
        guard let found = Severity.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = found
    }

    public var name: String { ["none", "low", "medium", "high", "critical"][rawValue] }
    public var displayName: String { ["None", "Low", "Medium", "High", "Critical"][rawValue] }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One distinct thing installed somewhere in the estate (a product at a version, or a Windows
/// release at a build), matched once however many devices run it.
public struct EstateComponent: Hashable, Sendable {
    public var cpe: CPE
    public var windows: WindowsRelease?

    public init(cpe: CPE, windows: WindowsRelease? = nil) {
        self.cpe = cpe
        self.windows = windows
    }

    public static func == (lhs: EstateComponent, rhs: EstateComponent) -> Bool { lhs.cpe == rhs.cpe }
    public func hash(into hasher: inout Hasher) { hasher.combine(cpe) }
}

/// A device's exposure: the CVEs it has (indices into the knowledge base's records), components
/// past end of life, and the figures lists and roll-ups need.
public struct DeviceExposure: Equatable, Sendable {
    public var cves: [Int32]
    /// The CVEs only this device's combination of components has (AND configurations, such as
    /// SMBv1 on Windows 7): the rest follow from its components alone.
    public var combined: [Int32]
    public var unsupported: [Int32]
    public var unsupportedOS: Bool
    public var knownExploited: Int
    public var ransomware: Bool
    public var highestScore: Double?
    public var severity: Severity
    /// No critical/high or known-exploited vulnerability whose fix has been out more than 14 days.
    public var patchCompliant: Bool
}

/// Matches an estate against the knowledge base: each distinct component once (on both cores),
/// then each device from its components' hits, then the organisation's roll-up.
public struct EstateAnalyser: Sendable {
    public struct ComponentFindings: Sendable {
        /// Records a plain (OR) configuration makes this component vulnerable to.
        public var plain: [Int32]
        /// Hits on records with AND configurations or negated nodes, decided per device.
        public var complex: [VulnerabilityIndex.Candidate]
        /// The end of life, when the component's cycle has passed it.
        public var endOfLife: EndOfLifeDate?
        public var cycleLabel: String?
        public var isOperatingSystem: Bool
    }

    public let index: VulnerabilityIndex
    public let facts: [CVEFacts]
    public let endOfLife: EndOfLifeIndex
    public let today: CalendarDay
    /// Days a fix may be out before a device is out of patch compliance (Cyber Essentials: 14).
    public let patchWindow: Int

    public init(index: VulnerabilityIndex, facts: [CVEFacts], endOfLife: EndOfLifeIndex, today: CalendarDay, patchWindow: Int = 14) {
        precondition(facts.count == index.records.count, "one CVEFacts per knowledge base record")
        self.index = index
        self.facts = facts
        self.endOfLife = endOfLife
        self.today = today
        self.patchWindow = patchWindow
    }

    /// Each distinct component matched once; the slow part, spread over the machine's cores.
    public func findings(for components: [EstateComponent]) -> [ComponentFindings] {
        parallelMap(components.count) { i in findings(for: components[i]) }
    }

    public func findings(for component: EstateComponent) -> ComponentFindings {
        var plain = Set<Int32>()
        var complex: [VulnerabilityIndex.Candidate] = []
        for candidate in index.candidates(for: component.cpe) {
            if index.isPlain(candidate.record) { if candidate.vulnerable { plain.insert(Int32(candidate.record)) } } else { complex.append(candidate) }
        }
        let lifecycle = component.windows.flatMap(endOfLife.lifecycle(of:)) ?? endOfLife.lifecycle(of: component.cpe)
        let ended = lifecycle.flatMap { $0.cycle.endOfLife.hasPassed(on: today) ? $0.cycle.endOfLife : nil }
        return ComponentFindings(plain: plain.sorted(), complex: complex, endOfLife: ended,
                                 cycleLabel: lifecycle.map(Self.label), isOperatingSystem: component.cpe.part == "o")
    }

    /// "Google Chrome 151", "Microsoft Windows 10 22H2"; a cycle label that already names the
    /// product ("Windows Server 2012 R2") stands alone.
    static func label(_ lifecycle: (product: EndOfLifeProduct, cycle: EndOfLifeProduct.Cycle)) -> String {
        let last = lifecycle.product.label.split(separator: " ").last.map { $0.lowercased() } ?? ""
        return lifecycle.cycle.label.lowercased().contains(last) ? lifecycle.cycle.label : "\(lifecycle.product.label) \(lifecycle.cycle.label)"
    }

    /// Reusable marks so a device's CVEs are gathered without a set per device.
    public struct Scratch {
        var marks: [UInt32]
        var generation: UInt32 = 0
        public init(records: Int) { marks = Array(repeating: 0, count: records) }
    }

    public func exposure(of components: some Collection<Int32>, findings: [ComponentFindings], scratch: inout Scratch) -> DeviceExposure {
        scratch.generation &+= 1
        if scratch.generation == 0 { for i in scratch.marks.indices { scratch.marks[i] = 0 }; scratch.generation = 1 }
        let generation = scratch.generation
        var cves: [Int32] = []
        var complex: [VulnerabilityIndex.Candidate] = []
        var unsupported: [Int32] = []
        var unsupportedOS = false
        for component in components {
            let found = findings[Int(component)]
            for record in found.plain where scratch.marks[Int(record)] != generation {
                scratch.marks[Int(record)] = generation
                cves.append(record)
            }
            if !found.complex.isEmpty { complex += found.complex }
            if found.endOfLife != nil { unsupported.append(component); if found.isOperatingSystem { unsupportedOS = true } }
        }
        var combined: [Int32] = []
        if !complex.isEmpty {
            for (record, hits) in Dictionary(grouping: complex, by: \.record) where scratch.marks[record] != generation && index.holds(record, hits: hits) {
                scratch.marks[record] = generation
                cves.append(Int32(record))
                combined.append(Int32(record))
            }
        }
        var exploited = 0, ransomware = false, highest: Double?, compliant = true
        let cutoff = today.adding(days: -patchWindow)
        for record in cves {
            let fact = facts[Int(record)]
            if fact.knownExploited { exploited += 1; if fact.ransomware { ransomware = true } }
            if let score = fact.score, score > (highest ?? -1) { highest = score }
            if compliant, fact.knownExploited || (fact.score ?? 0) >= 7.0 {
                // The fix is taken as available from publication (vendors publish with the fix) or
                // from CISA listing it, whichever is earlier.
                let since = [fact.published, fact.exploitedSince].compactMap { $0 }.min()
                if let since, since < cutoff { compliant = false }
            }
        }
        cves.sort()
        combined.sort()
        return DeviceExposure(cves: cves, combined: combined, unsupported: unsupported, unsupportedOS: unsupportedOS, knownExploited: exploited, ransomware: ransomware,
                              highestScore: highest, severity: Severity(score: highest), patchCompliant: compliant)
    }

    /// Every device's exposure, devices split between the cores.
    public func exposures(of devices: [[Int32]], findings: [ComponentFindings]) -> [DeviceExposure] {
        let chunk = 4096
        let chunks = (devices.count + chunk - 1) / chunk
        let parts = parallelMap(chunks) { c -> [DeviceExposure] in
            var scratch = Scratch(records: index.records.count)
            return devices[(c * chunk)..<min(devices.count, (c + 1) * chunk)].map { exposure(of: $0, findings: findings, scratch: &scratch) }
        }
        return parts.flatMap { $0 }
    }
}

/// An organisation's estate in figures: what its board and DSPT return ask.
public struct EstateRollUp: Equatable, Sendable, Codable {
    public var devices = 0
    public var unsupportedOS = 0
    public var unsupportedSoftware = 0
    public var knownExploited = 0
    public var ransomware = 0
    public var vulnerable = 0
    public var criticalOrHigh = 0
    public var patchCompliant = 0

    public init() {}

    public mutating func add(_ exposure: DeviceExposure) {
        devices += 1
        if exposure.unsupportedOS { unsupportedOS += 1 }
        if !exposure.unsupported.isEmpty { unsupportedSoftware += 1 }
        if exposure.knownExploited > 0 { knownExploited += 1 }
        if exposure.ransomware { ransomware += 1 }
        if !exposure.cves.isEmpty { vulnerable += 1 }
        if exposure.severity >= .high { criticalOrHigh += 1 }
        if exposure.patchCompliant { patchCompliant += 1 }
    }

    public mutating func add(_ other: EstateRollUp) {
        devices += other.devices
        unsupportedOS += other.unsupportedOS
        unsupportedSoftware += other.unsupportedSoftware
        knownExploited += other.knownExploited
        ransomware += other.ransomware
        vulnerable += other.vulnerable
        criticalOrHigh += other.criticalOrHigh
        patchCompliant += other.patchCompliant
    }

    /// Patch compliance as a whole percentage, rounded down (so 99.6% is not reported as 100%).
    public var patchCompliancePercent: Int { devices == 0 ? 0 : patchCompliant * 100 / devices }
}

/// `transform` for 0..<count on every core, results in order.
func parallelMap<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(transform) }
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    nonisolated(unsafe) let output = results
    DispatchQueue.concurrentPerform(iterations: count) { i in output[i] = transform(i) }
    return results.map { $0! }
}
