/// An assessment item Assure can evaluate from its own records instead of asking: which items it
/// answers, and how a figure becomes a level. The app supplies the figure; the rule lives here.
public struct AutomatedCheck: Equatable, Sendable {
    public var id: String
    public var title: String
    /// Framework ids (any version) and the item ids this check answers in them.
    public var answers: [String: [String]]

    public init(id: String, title: String, answers: [String: [String]]) {
        self.id = id
        self.title = title
        self.answers = answers
    }

    public func answers(_ item: String, in framework: String) -> Bool { answers[framework]?.contains(item) ?? false }

    /// CAF A2.a (risk management process): risks are reviewed as the organisation's own process
    /// says. Also the DSPT's CAF-aligned A2.a.
    public static let riskReviews = AutomatedCheck(id: "risk-review-compliance", title: "Risk register review compliance",
                                                   answers: ["ncsc-caf": ["A2.a"], "dspt-caf": ["A2.a"]])

    /// DSPT standard 8: no unsupported operating systems, software or browsers in the estate.
    public static let unsupportedSoftware = AutomatedCheck(id: "estate-unsupported-software", title: "Unsupported software in the estate",
                                                           answers: ["dspt-ndg": ["8.0"]])

    /// CAF B4.d (vulnerability management) and Cyber Essentials' security update management.
    public static let patching = AutomatedCheck(id: "estate-patch-compliance", title: "Estate patch compliance",
                                                answers: ["ncsc-caf": ["B4.d"], "dspt-caf": ["B4.d"], "cyber-essentials": ["CE3.14d", "CE3"]])

    public static let all: [AutomatedCheck] = [riskReviews, unsupportedSoftware, patching]

    public static func checks(for item: String, in framework: String) -> [AutomatedCheck] { all.filter { $0.answers(item, in: framework) } }
}

/// What a check found: the level it supports, the figure behind it, and the day it was measured.
public struct CheckOutcome: Equatable, Sendable {
    public var level: String
    public var figure: String
    public var measured: CalendarDay

    public init(level: String, figure: String, measured: CalendarDay) {
        self.level = level
        self.figure = figure
        self.measured = measured
    }
}

public enum RiskReviewRule {
    /// Share of live risks reviewed by their due date. At 95% or more the process is working
    /// (Achieved); from 75% it works with lapses (Partially achieved, where the item has that
    /// level); below that, or with no live risks recorded at all, it is not shown to work.
    public static func grade(live: Int, overdue: Int, allowed: [String], on day: CalendarDay) -> CheckOutcome {
        let onTime = max(0, live - overdue)
        let share = live == 0 ? 0 : Double(onTime) / Double(live)
        let percent = Int((share * 100).rounded(.down))
        let figure = live == 0
            ? "No live risks are recorded in the risk register on \(day)"
            : "\(onTime) of \(live) live risks (\(percent)%) were within their review date on \(day); \(overdue) overdue"
        let level: String
        if live > 0, share >= 0.95, allowed.contains("achieved") { level = "achieved" }
        else if live > 0, share >= 0.75, allowed.contains("partially-achieved") { level = "partially-achieved" }
        else { level = allowed.first ?? "not-achieved" }
        return CheckOutcome(level: level, figure: figure, measured: day)
    }
}
