import Foundation

/// What a risk is about, for appetite and reporting.
public enum RiskCategory: String, CaseIterable, Codable, CodingKeyRepresentable, Sendable {
    case cyberSecurity = "cyber-security"
    case dataProtection = "data-protection"
    case clinicalSafety = "clinical-safety"
    case regulatory
    case financial
    case operational = "operational"
    case strategic
    case workforce
    case supplier

    public var displayName: String {
        switch self {
        case .cyberSecurity: "Cyber security"
        case .dataProtection: "Data protection"
        case .clinicalSafety: "Clinical safety"
        case .regulatory: "Regulatory"
        case .financial: "Financial"
        case .operational: "Operational and service continuity"
        case .strategic: "Strategic"
        case .workforce: "Workforce"
        case .supplier: "Supplier"
        }
    }
}

public enum RiskStatus: String, CaseIterable, Codable, Sendable {
    case open, closed, tolerated, transferred
    public var displayName: String { rawValue.capitalisedFirst }
    /// Closed and transferred risks no longer need reviewing by this organisation.
    public var isLive: Bool { self == .open || self == .tolerated }
    public static var live: [RiskStatus] { allCases.filter(\.isLive) }
}

public enum ControlEffectiveness: String, CaseIterable, Codable, Sendable {
    case effective
    case partiallyEffective = "partially-effective"
    case ineffective
    public var displayName: String {
        switch self {
        case .effective: "Effective"
        case .partiallyEffective: "Partially effective"
        case .ineffective: "Ineffective"
        }
    }
}

public enum RiskActionStatus: String, CaseIterable, Codable, Sendable {
    case notStarted = "not-started"
    case inProgress = "in-progress"
    case complete
    case cancelled
    public var displayName: String {
        switch self {
        case .notStarted: "Not started"
        case .inProgress: "In progress"
        case .complete: "Complete"
        case .cancelled: "Cancelled"
        }
    }
    public var isOpen: Bool { self == .notStarted || self == .inProgress }
    public static var open: [RiskActionStatus] { allCases.filter(\.isOpen) }
}

/// A likelihood and consequence on a matrix.
public struct RiskRating: Codable, Equatable, Hashable, Sendable {
    public var likelihood: Int
    public var consequence: Int
    public init(likelihood: Int, consequence: Int) {
        self.likelihood = likelihood
        self.consequence = consequence
    }
}

/// An organisation's risk settings: which matrix, the highest tolerable score per category
/// (appetite), and the score at which a risk is escalated to the next level's view.
public struct RiskSettings: Codable, Equatable, Sendable {
    public var matrixKey: String
    public var appetite: [RiskCategory: Int]
    public var escalationThreshold: Int

    public init(matrixKey: String, appetite: [RiskCategory: Int], escalationThreshold: Int) {
        self.matrixKey = matrixKey
        self.appetite = appetite
        self.escalationThreshold = escalationThreshold
    }

    /// Cautious defaults on the NHS 5×5: nothing above moderate for safety, data and cyber risks.
    public static let standard = RiskSettings(
        matrixKey: RiskMatrix.nhs5x5.key,
        appetite: [.cyberSecurity: 6, .dataProtection: 6, .clinicalSafety: 6, .regulatory: 8, .financial: 12, .operational: 8,
                   .strategic: 12, .workforce: 12, .supplier: 8],
        escalationThreshold: 15)

    public func isAboveAppetite(score: Int, category: RiskCategory) -> Bool {
        appetite[category].map { score > $0 } ?? false
    }

    public func isEscalated(score: Int) -> Bool { score >= escalationThreshold }

    public func validate(against matrix: RiskMatrix) throws(RuleViolations<RuleError>) {
        var problems: [RuleError] = []
        let highest = matrix.highestScore
        for (category, limit) in appetite.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !(1...highest).contains(limit) {
            problems.append(RuleError(field: "appetite_\(category.rawValue)", message: "\(category.displayName) appetite must be a score from 1 to \(highest)"))
        }
        if !(1...max(1, highest)).contains(escalationThreshold) {
            problems.append(RuleError(field: "escalation_threshold", message: "The escalation threshold must be a score from 1 to \(highest)"))
        }
        guard problems.isEmpty else { throw RuleViolations(problems) }
    }
}

/// When a risk is next reviewed: its band's interval after the last review (or opening).
public enum RiskReview {
    public static func nextDue(lastReviewed: Date, score: Int, matrix: RiskMatrix) -> Date {
        let days = matrix.band(for: score)?.reviewEveryDays ?? 30
        return lastReviewed.addingTimeInterval(Double(days) * 86_400)
    }

    public static func isOverdue(nextDue: Date, today: Date) -> Bool { nextDue < today }
}

/// Risk references as people quote them: R-0042.
public enum RiskReference {
    public static func format(_ number: Int) -> String { "R-" + String(format: "%04d", number) }

    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard trimmed.hasPrefix("R-"), let number = Int(trimmed.dropFirst(2)), number > 0 else { return nil }
        return number
    }
}
