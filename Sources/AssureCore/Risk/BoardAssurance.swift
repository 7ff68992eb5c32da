/// The Board Assurance Framework's rules: the three lines of assurance (Chartered IIA, as the GGI
/// describes them), whether a source of assurance was positive or negative, and the overall
/// assurance the board has that an objective's principal risks are controlled.
public enum AssuranceLine: Int, CaseIterable, Codable, Sendable {
    case first = 1, second = 2, third = 3

    public var displayName: String {
        switch self {
        case .first: "1st line: management"
        case .second: "2nd line: oversight functions"
        case .third: "3rd line: independent assurance"
        }
    }

    public var who: String {
        switch self {
        case .first: "Operational functions that own and manage services and their risks"
        case .second: "Oversight of management, within the management chain (risk, compliance, IG, quality teams)"
        case .third: "Independent and objective assurance (internal audit; external audit and regulators)"
        }
    }
}

public enum AssuranceOutcome: String, CaseIterable, Codable, Sendable {
    case positive, negative
    public var displayName: String { self == .positive ? "Positive" : "Negative" }
}

/// Overall assurance, in the terms internal audit opinions use.
public enum AssuranceLevel: String, CaseIterable, Codable, Sendable {
    case substantial, reasonable, limited, none

    public var displayName: String {
        switch self {
        case .substantial: "Substantial assurance"
        case .reasonable: "Reasonable assurance"
        case .limited: "Limited assurance"
        case .none: "No assurance"
        }
    }

    public var colour: String {
        switch self {
        case .substantial: "green"
        case .reasonable: "yellow"
        case .limited: "orange"
        case .none: "red"
        }
    }

    /// What the evidence suggests; the executive lead sets the rating and may differ, with reason.
    /// No sources: no assurance. A negative independent (3rd line) source or an ineffective control:
    /// limited. Positive independent assurance, nothing negative and every control effective:
    /// substantial. Otherwise reasonable.
    public static func suggested(controls: [ControlEffectiveness], sources: [(line: AssuranceLine, outcome: AssuranceOutcome)]) -> AssuranceLevel {
        guard !sources.isEmpty else { return .none }
        if sources.contains(where: { $0.line == .third && $0.outcome == .negative }) || controls.contains(.ineffective) { return .limited }
        let anyNegative = sources.contains { $0.outcome == .negative }
        if !anyNegative, sources.contains(where: { $0.line == .third }), !controls.isEmpty, controls.allSatisfy({ $0 == .effective }) { return .substantial }
        return .reasonable
    }
}
