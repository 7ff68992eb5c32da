import Foundation

/// NHS England's high severity cyber alerts: each organisation acknowledges an alert within 48
/// hours of issue (DSPT 6.3.2) and reports its update (patched, mitigated or not affected) within
/// three days, as this installation's process sets it.
public enum CyberAlertRules {
    public static let acknowledgementHours = 48
    public static let updateDays = 3

    public static func acknowledgementDue(issued: Date) -> Date { issued.addingTimeInterval(Double(acknowledgementHours) * 3600) }
    public static func updateDue(issued: Date) -> Date { issued.addingTimeInterval(Double(updateDays) * 86_400) }

    /// Where an organisation stands on one alert at `now`.
    public static func standing(issued: Date, acknowledged: Date?, updated: Date?, status: CyberAlertStatus, now: Date) -> CyberAlertStanding {
        let acknowledgementOverdue = acknowledged.map { $0 > acknowledgementDue(issued: issued) } ?? (now > acknowledgementDue(issued: issued))
        let updateOverdue = status.isClosed
            ? (updated.map { $0 > updateDue(issued: issued) } ?? false)
            : now > updateDue(issued: issued)
        return CyberAlertStanding(acknowledgementDue: acknowledgementDue(issued: issued), updateDue: updateDue(issued: issued),
                                  acknowledgementOverdue: acknowledgementOverdue && acknowledged == nil,
                                  acknowledgedLate: acknowledged.map { $0 > acknowledgementDue(issued: issued) } ?? false,
                                  updateOverdue: updateOverdue && !status.isClosed)
    }

    /// Checks an alert someone entered.
    public static func problems(reference: String, title: String, cves: [String], action: String) -> [RuleError] {
        var problems: [RuleError] = []
        if reference.isEmpty || reference.count > 30 || !reference.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            problems.append(RuleError(field: "reference", message: "Enter the alert's reference, for example CC-4512 (letters, digits and hyphens, up to 30)"))
        }
        if title.isEmpty { problems.append(RuleError(field: "title", message: "Enter the alert's title")) }
        if title.count > 300 { problems.append(RuleError(field: "title", message: "The title must be 300 characters or fewer")) }
        for cve in cves where !CVEIdentifier.isValid(cve) { problems.append(RuleError(field: "cves", message: "'\(cve)' is not a CVE id such as CVE-2024-21413")) }
        if action.isEmpty { problems.append(RuleError(field: "required_action", message: "Enter the action NHS England requires")) }
        return problems
    }
}

public enum CyberAlertStatus: String, CaseIterable, Codable, Sendable {
    case notStarted = "not-started"
    case inProgress = "in-progress"
    case patched
    case mitigated
    case notAffected = "not-affected"

    public var displayName: String {
        switch self {
        case .notStarted: "Not started"
        case .inProgress: "In progress"
        case .patched: "Patched"
        case .mitigated: "Mitigated"
        case .notAffected: "Not affected"
        }
    }

    /// Patched, mitigated or not affected: the update NHS England asks for has been given.
    public var isClosed: Bool { [.patched, .mitigated, .notAffected].contains(self) }
}

public struct CyberAlertStanding: Equatable, Sendable {
    public var acknowledgementDue: Date
    public var updateDue: Date
    public var acknowledgementOverdue: Bool
    public var acknowledgedLate: Bool
    public var updateOverdue: Bool
}

/// The estate's figures as compliance evidence: DSPT standard 8 (no unsupported systems), CAF
/// B4.d and Cyber Essentials' patching requirement (critical and high fixes within 14 days).
public enum EstateCheckRules {
    /// DSPT 8: met only when no device runs an unsupported operating system or software.
    public static func unsupportedSoftware(_ rollUp: EstateRollUp, allowed: [String], on day: CalendarDay) -> CheckOutcome {
        let figure = rollUp.devices == 0
            ? "No devices are recorded in the estate on \(day)"
            : "\(rollUp.unsupportedOS) of \(rollUp.devices) devices run an unsupported operating system and \(rollUp.unsupportedSoftware) have unsupported software, on \(day)"
        let met = rollUp.devices > 0 && rollUp.unsupportedOS == 0 && rollUp.unsupportedSoftware == 0
        return CheckOutcome(level: met ? (allowed.last ?? "met") : (allowed.first ?? "not-met"), figure: figure, measured: day)
    }

    /// CAF B4.d and Cyber Essentials: the share of devices patch compliant, and known-exploited
    /// exposure. A two-level outcome (Cyber Essentials) needs every device compliant; CAF's
    /// Achieved needs 95% and no known-exploited exposure, Partially achieved 80%.
    public static func patching(_ rollUp: EstateRollUp, allowed: [String], on day: CalendarDay) -> CheckOutcome {
        let figure = rollUp.devices == 0
            ? "No devices are recorded in the estate on \(day)"
            : "\(rollUp.patchCompliant) of \(rollUp.devices) devices (\(rollUp.patchCompliancePercent)%) have no critical, high or known-exploited vulnerability with a fix out more than 14 days; \(rollUp.knownExploited) devices exposed to known-exploited vulnerabilities, on \(day)"
        guard rollUp.devices > 0 else { return CheckOutcome(level: allowed.first ?? "not-achieved", figure: figure, measured: day) }
        let share = Double(rollUp.patchCompliant) / Double(rollUp.devices)
        let level: String
        if allowed.count == 2 { level = rollUp.patchCompliant == rollUp.devices ? allowed[1] : allowed[0] }
        else if share >= 0.95, rollUp.knownExploited == 0, allowed.contains("achieved") { level = "achieved" }
        else if share >= 0.80, allowed.contains("partially-achieved") { level = "partially-achieved" }
        else { level = allowed.first ?? "not-achieved" }
        return CheckOutcome(level: level, figure: figure, measured: day)
    }
}

/// When the estate raises a risk on the register: KEV exposure or unsupported operating systems
/// above a share of devices each organisation sets (defaults 1% and 2%).
public struct EstateRiskThresholds: Equatable, Codable, Sendable {
    public var knownExploitedPercent: Double
    public var unsupportedOSPercent: Double

    public init(knownExploitedPercent: Double = 1, unsupportedOSPercent: Double = 2) {
        self.knownExploitedPercent = knownExploitedPercent
        self.unsupportedOSPercent = unsupportedOSPercent
    }

    public func problems() -> [RuleError] {
        var problems: [RuleError] = []
        if !(0...100).contains(knownExploitedPercent) { problems.append(RuleError(field: "known_exploited_percent", message: "Enter the known-exploited exposure as a percentage from 0 to 100")) }
        if !(0...100).contains(unsupportedOSPercent) { problems.append(RuleError(field: "unsupported_os_percent", message: "Enter the unsupported operating systems share as a percentage from 0 to 100")) }
        return problems
    }

    /// What passed its threshold, in words for the risk's description; empty when nothing did.
    public func breaches(_ rollUp: EstateRollUp) -> [String] {
        guard rollUp.devices > 0 else { return [] }
        var found: [String] = []
        let kev = Double(rollUp.knownExploited) * 100 / Double(rollUp.devices)
        let os = Double(rollUp.unsupportedOS) * 100 / Double(rollUp.devices)
        if rollUp.knownExploited > 0, kev >= knownExploitedPercent {
            found.append("\(rollUp.knownExploited) devices (\(String(format: "%.1f", kev))%) are exposed to known-exploited vulnerabilities (threshold \(String(format: "%g", knownExploitedPercent))%)")
        }
        if rollUp.unsupportedOS > 0, os >= unsupportedOSPercent {
            found.append("\(rollUp.unsupportedOS) devices (\(String(format: "%.1f", os))%) run an unsupported operating system (threshold \(String(format: "%g", unsupportedOSPercent))%)")
        }
        return found
    }
}
