/// The indicators an NHS board and the ICB, region and national teams above it watch: one figure
/// each, taken daily from the risk register, the DSPT and CAF assessments, the evidence library,
/// the estate and the cyber alerts board.
public enum KeyIndicator: String, CaseIterable, Codable, Sendable {
    case risksAboveAppetite = "risks-above-appetite"
    case overdueRiskReviews = "overdue-risk-reviews"
    case overdueRiskActions = "overdue-risk-actions"
    case dsptPosition = "dspt-position"
    case mandatoryNotMet = "dspt-mandatory-not-met"
    case cafPosition = "caf-position"
    case expiredEvidence = "expired-evidence"
    case patchCompliance = "patch-compliance"
    case unsupportedDevices = "unsupported-devices"
    case knownExploitedDevices = "kev-exposed-devices"
    case overdueCyberAlerts = "overdue-cyber-alerts"

    public enum Unit: String, Sendable { case count, percent }

    public var title: String {
        switch self {
        case .risksAboveAppetite: "Risks above appetite"
        case .overdueRiskReviews: "Overdue risk reviews"
        case .overdueRiskActions: "Overdue risk actions"
        case .dsptPosition: "DSPT items at target"
        case .mandatoryNotMet: "DSPT mandatory items not met"
        case .cafPosition: "CAF outcomes at target"
        case .expiredEvidence: "Expired evidence"
        case .patchCompliance: "Patch compliance"
        case .unsupportedDevices: "Devices on an unsupported OS"
        case .knownExploitedDevices: "Devices with known-exploited vulnerabilities"
        case .overdueCyberAlerts: "Overdue high severity cyber alerts"
        }
    }

    /// For column headings where eleven indicators sit side by side.
    public var shortTitle: String {
        switch self {
        case .risksAboveAppetite: "Above appetite"
        case .overdueRiskReviews: "Reviews overdue"
        case .overdueRiskActions: "Actions overdue"
        case .dsptPosition: "DSPT at target"
        case .mandatoryNotMet: "DSPT mandatory not met"
        case .cafPosition: "CAF at target"
        case .expiredEvidence: "Evidence expired"
        case .patchCompliance: "Patch compliance"
        case .unsupportedDevices: "Unsupported OS"
        case .knownExploitedDevices: "KEV-exposed"
        case .overdueCyberAlerts: "Alerts overdue"
        }
    }

    /// What the figure counts, for tiles and the board pack's appendix.
    public var explanation: String {
        switch self {
        case .risksAboveAppetite: "Live risks whose current score is above the appetite set for their category"
        case .overdueRiskReviews: "Live risks whose next review date has passed"
        case .overdueRiskActions: "Actions on live risks not completed by their due date"
        case .dsptPosition: "Items of the latest DSPT assessment at or above their target level (the top level where none is set), as a percentage of all its items"
        case .mandatoryNotMet: "Mandatory items of the latest DSPT assessment not at the top level"
        case .cafPosition: "Contributing outcomes of the latest NCSC CAF assessment at or above their target (achieved where none is set), as a percentage of all of them"
        case .expiredEvidence: "Evidence whose review date has passed"
        case .patchCompliance: "Devices with no critical, high or known-exploited vulnerability whose fix has been out more than 14 days (Cyber Essentials)"
        case .unsupportedDevices: "Devices whose operating system is past its end of support"
        case .knownExploitedDevices: "Devices with a vulnerability on CISA's Known Exploited Vulnerabilities catalogue"
        case .overdueCyberAlerts: "NHS England high severity alerts not acknowledged within 48 hours or not updated within 3 days"
        }
    }

    public var unit: Unit { [.dsptPosition, .cafPosition, .patchCompliance].contains(self) ? .percent : .count }
    public var higherIsBetter: Bool { unit == .percent }

    /// The standard target and the edge of amber: green at or better than the target, amber up
    /// to the edge, red beyond it. Zero tolerance for known-exploited exposure and mandatory gaps.
    public var standardTarget: IndicatorTarget {
        switch self {
        case .risksAboveAppetite: IndicatorTarget(target: 0, amberLimit: 2)
        case .overdueRiskReviews: IndicatorTarget(target: 0, amberLimit: 3)
        case .overdueRiskActions: IndicatorTarget(target: 0, amberLimit: 5)
        case .dsptPosition: IndicatorTarget(target: 100, amberLimit: 90)
        case .mandatoryNotMet: IndicatorTarget(target: 0, amberLimit: 0)
        case .cafPosition: IndicatorTarget(target: 100, amberLimit: 80)
        case .expiredEvidence: IndicatorTarget(target: 0, amberLimit: 5)
        case .patchCompliance: IndicatorTarget(target: 95, amberLimit: 85)
        case .unsupportedDevices: IndicatorTarget(target: 0, amberLimit: 10)
        case .knownExploitedDevices: IndicatorTarget(target: 0, amberLimit: 0)
        case .overdueCyberAlerts: IndicatorTarget(target: 0, amberLimit: 0)
        }
    }

    /// "Target 0", "Target 95% or more": the standard target in words.
    public var targetDescription: String {
        let target = standardTarget.target
        if unit == .percent { return "Target \(Int(target))%" + (target < 100 ? " or more" : "") }
        return target == 0 ? "Target 0" : "Target \(Int(target)) or fewer"
    }

    /// Why an organisation has no figure: the record it is measured from does not exist yet.
    public var notMeasuredReason: String {
        switch self {
        case .dsptPosition, .mandatoryNotMet: "No DSPT assessment has been started"
        case .cafPosition: "No CAF assessment has been started"
        case .patchCompliance, .unsupportedDevices, .knownExploitedDevices: "No estate inventory has been analysed"
        default: "Not measured yet"
        }
    }

    public func rating(_ value: Double?) -> RAGRating { standardTarget.rating(value, higherIsBetter: higherIsBetter) }

    public func format(_ value: Double?) -> String {
        guard let value else { return "—" }
        return unit == .percent ? "\(Int(value.rounded()))%" : "\(Int(value.rounded()))"
    }
}

public struct IndicatorTarget: Equatable, Sendable {
    public var target: Double
    public var amberLimit: Double

    public init(target: Double, amberLimit: Double) {
        self.target = target
        self.amberLimit = amberLimit
    }

    public func rating(_ value: Double?, higherIsBetter: Bool) -> RAGRating {
        guard let value else { return .notMeasured }
        if higherIsBetter { return value >= target ? .green : value >= amberLimit ? .amber : .red }
        return value <= target ? .green : value <= amberLimit ? .amber : .red
    }
}

/// Red, amber, green, or no figure (no assessment yet, no estate loaded).
public enum RAGRating: String, Codable, Sendable, CaseIterable {
    case green, amber, red
    case notMeasured = "not-measured"

    public var label: String {
        switch self {
        case .green: "Green"
        case .amber: "Amber"
        case .red: "Red"
        case .notMeasured: "Not measured"
        }
    }
}

/// One organisation's figures on one day; an indicator without a figure was not measured.
/// Kept as one slot per indicator rather than a dictionary: a national roll-up holds 6,569 of
/// these and reads each figure several times, and hashing was most of its cost.
public struct IndicatorValues: Equatable, Sendable, Codable {
    private var figures: [Double?]

    public init(_ values: [KeyIndicator: Double] = [:]) {
        figures = Array(repeating: nil, count: KeyIndicator.allCases.count)
        for (indicator, value) in values { figures[indicator.slot] = value }
    }

    public subscript(_ indicator: KeyIndicator) -> Double? {
        get { figures[indicator.slot] }
        set { figures[indicator.slot] = newValue }
    }

    /// The figures there are, by indicator.
    public var values: [KeyIndicator: Double] {
        var found: [KeyIndicator: Double] = [:]
        for indicator in KeyIndicator.allCases { if let value = figures[indicator.slot] { found[indicator] = value } }
        return found
    }

    public init(from decoder: any Decoder) throws {
        let raw = try [String: Double](from: decoder)
        self.init(Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in KeyIndicator(rawValue: key).map { ($0, value) } }))
    }

    public func encode(to encoder: any Encoder) throws {
        try Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) }).encode(to: encoder)
    }
}

extension KeyIndicator {
    /// The indicator's position in `allCases`, without a search.
    public var slot: Int {
        switch self {
        case .risksAboveAppetite: 0
        case .overdueRiskReviews: 1
        case .overdueRiskActions: 2
        case .dsptPosition: 3
        case .mandatoryNotMet: 4
        case .cafPosition: 5
        case .expiredEvidence: 6
        case .patchCompliance: 7
        case .unsupportedDevices: 8
        case .knownExploitedDevices: 9
        case .overdueCyberAlerts: 10
        }
    }
}
