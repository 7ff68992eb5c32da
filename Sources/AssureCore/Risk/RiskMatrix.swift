import Foundation

/// A risk matrix as data: likelihood and consequence levels, how a pair becomes a score (their
/// product, as in the NHS 5×5, or a lookup table, as in the DCB0129/DCB0160 clinical matrix),
/// the bands that grade scores, and consequence descriptors per domain. An organisation may
/// define its own (a 4×4, different bands) without code changes; `validate` refuses one with
/// gaps or overlaps.
public struct RiskMatrix: Codable, Equatable, Sendable {
    public struct Level: Codable, Equatable, Sendable {
        public var score: Int
        public var label: String
        public var definition: String?

        public init(score: Int, label: String, definition: String? = nil) {
            self.score = score
            self.label = label
            self.definition = definition
        }
    }

    public struct Band: Codable, Equatable, Sendable {
        public var key: String
        public var label: String
        public var lower: Int
        public var upper: Int
        /// One of green, yellow, orange, red (the page's palette).
        public var colour: String
        /// How often a risk in this band is reviewed.
        public var reviewEveryDays: Int
        /// Where the band comes from and whether it was checked against its source.
        public var verified: String?
        /// For clinical matrices: whether a risk at this rating may be accepted (yes, no, conditional).
        public var acceptable: String?

        public init(key: String, label: String, lower: Int, upper: Int, colour: String, reviewEveryDays: Int,
                    verified: String? = nil, acceptable: String? = nil) {
            self.key = key
            self.label = label
            self.lower = lower
            self.upper = upper
            self.colour = colour
            self.reviewEveryDays = reviewEveryDays
            self.verified = verified
            self.acceptable = acceptable
        }

        public func contains(_ score: Int) -> Bool { (lower...upper).contains(score) }
    }

    /// What a consequence level means in one domain (patient safety, finance, …).
    public struct Domain: Codable, Equatable, Sendable {
        public var name: String
        /// One descriptor per consequence level, lowest first.
        public var descriptors: [String]

        public init(name: String, descriptors: [String]) {
            self.name = name
            self.descriptors = descriptors
        }
    }

    public var key: String
    public var name: String
    public var source: String
    /// Lowest first; scores 1…n.
    public var likelihood: [Level]
    /// Lowest first; scores 1…n.
    public var consequence: [Level]
    /// Nil: score = likelihood × consequence. Otherwise `table[likelihood - 1][consequence - 1]`.
    public var table: [[Int]]?
    /// Lowest first.
    public var bands: [Band]
    public var domains: [Domain]

    public init(key: String, name: String, source: String, likelihood: [Level], consequence: [Level], table: [[Int]]? = nil,
                bands: [Band], domains: [Domain] = []) {
        self.key = key
        self.name = name
        self.source = source
        self.likelihood = likelihood
        self.consequence = consequence
        self.table = table
        self.bands = bands
        self.domains = domains
    }

    /// The score for a likelihood and consequence, or nil if either is outside the matrix.
    public func score(likelihood: Int, consequence: Int) -> Int? {
        guard (1...self.likelihood.count).contains(likelihood), (1...self.consequence.count).contains(consequence) else { return nil }
        if let table { return table[likelihood - 1][consequence - 1] }
        return likelihood * consequence
    }

    public func band(for score: Int) -> Band? { bands.first { $0.contains(score) } }

    /// Every score some cell can produce, ascending (the NHS 5×5 has no 7, 11, 13 or 14).
    public var achievableScores: [Int] {
        var scores = Set<Int>()
        for l in 1...max(1, likelihood.count) { for c in 1...max(1, consequence.count) { if let s = score(likelihood: l, consequence: c) { scores.insert(s) } } }
        return scores.sorted()
    }

    public var highestScore: Int { achievableScores.last ?? 0 }

    /// Checks the definition is complete and consistent, reporting every problem by field.
    public func validate() throws(RuleViolations<RuleError>) {
        var problems: [RuleError] = []
        if key.isEmpty || key.count > 40 || !key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            problems.append(RuleError(field: "key", message: "Give the matrix a short key of letters, digits and hyphens (up to 40)"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(RuleError(field: "name", message: "Name the matrix")) }
        for (field, levels) in [("likelihood", likelihood), ("consequence", consequence)] {
            guard (2...10).contains(levels.count) else {
                problems.append(RuleError(field: field, message: "A matrix needs 2 to 10 \(field) levels; this has \(levels.count)"))
                continue
            }
            for (index, level) in levels.enumerated() where level.score != index + 1 {
                problems.append(RuleError(field: field, message: "\(field.capitalisedFirst) levels must be scored 1, 2, 3… in order; '\(level.label)' is scored \(level.score)"))
            }
            if levels.contains(where: { $0.label.trimmingCharacters(in: .whitespaces).isEmpty }) {
                problems.append(RuleError(field: field, message: "Every \(field) level needs a label"))
            }
        }
        if let table {
            if table.count != likelihood.count || table.contains(where: { $0.count != consequence.count }) {
                problems.append(RuleError(field: "table", message: "The table needs \(likelihood.count) rows (likelihood) of \(consequence.count) ratings (consequence)"))
            } else if table.joined().contains(where: { $0 < 1 }) {
                problems.append(RuleError(field: "table", message: "Every rating in the table must be 1 or more"))
            }
        }
        for domain in domains where domain.descriptors.count != consequence.count {
            problems.append(RuleError(field: "domains", message: "Domain '\(domain.name)' needs one descriptor for each of the \(consequence.count) consequence levels"))
        }
        problems += bandProblems()
        guard problems.isEmpty else { throw RuleViolations(problems) }
    }

    /// Bands must be in order, must not overlap, and must grade every achievable score.
    private func bandProblems() -> [RuleError] {
        guard !bands.isEmpty else { return [RuleError(field: "bands", message: "Define at least one band")] }
        var problems: [RuleError] = []
        for band in bands {
            if band.lower > band.upper { problems.append(RuleError(field: "bands", message: "Band '\(band.label)' runs from \(band.lower) down to \(band.upper)")) }
            if band.reviewEveryDays < 1 || band.reviewEveryDays > 366 {
                problems.append(RuleError(field: "bands", message: "Band '\(band.label)' must be reviewed every 1 to 366 days"))
            }
            if !["green", "yellow", "orange", "red"].contains(band.colour) {
                problems.append(RuleError(field: "bands", message: "Band '\(band.label)' colour must be green, yellow, orange or red"))
            }
        }
        for (first, second) in zip(bands, bands.dropFirst()) where second.lower <= first.upper {
            problems.append(RuleError(field: "bands", message: "Bands '\(first.label)' (\(first.lower)–\(first.upper)) and '\(second.label)' (\(second.lower)–\(second.upper)) overlap or are out of order"))
        }
        guard likelihood.count >= 2, consequence.count >= 2, table == nil || (table!.count == likelihood.count && table!.allSatisfy { $0.count == consequence.count }) else {
            return problems
        }
        let ungraded = achievableScores.filter { score in !bands.contains { $0.contains(score) } }
        if !ungraded.isEmpty {
            problems.append(RuleError(field: "bands", message: "No band grades the \(Words.noun(ungraded.count, "score")) \(ungraded.map(String.init).joined(separator: ", ")): bands must leave no gaps"))
        }
        return problems
    }
}
