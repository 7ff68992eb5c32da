/// Where one item of an assessment stands in its workflow.
public enum AssessmentItemStatus: String, CaseIterable, Codable, Sendable {
    case notStarted = "not-started"
    case inProgress = "in-progress"
    case readyForReview = "ready-for-review"
    case approved

    public var displayName: String {
        switch self {
        case .notStarted: "Not started"
        case .inProgress: "In progress"
        case .readyForReview: "Ready for review"
        case .approved: "Approved"
        }
    }
}

/// The DSPT status an assessment on the National Data Guardian standards rolls up to.
public enum DSPTStatus: String, Sendable {
    case met, approaching, notMet = "not-met"

    public var displayName: String {
        switch self {
        case .met: "Standards Met"
        case .approaching: "Approaching Standards"
        case .notMet: "Standards Not Met"
        }
    }

    /// Standards Met needs every mandatory item met and every item confirmed (met). With every
    /// mandatory item met but others not, Approaching Standards (an improvement plan is expected);
    /// a mandatory item not met, Standards Not Met. "Exceeded" needs an independent audit, so it is
    /// recorded by hand, not computed.
    public static func rollUp(_ results: [(mandatory: Bool, met: Bool)]) -> DSPTStatus {
        rollUp(mandatoryMet: results.filter { $0.mandatory && $0.met }.count, mandatory: results.filter(\.mandatory).count,
               met: results.filter(\.met).count, items: results.count)
    }

    /// The same rule from counts, for roll-ups across many organisations.
    public static func rollUp(mandatoryMet: Int, mandatory: Int, met: Int, items: Int) -> DSPTStatus {
        if mandatoryMet < mandatory { return .notMet }
        return met >= items ? .met : .approaching
    }
}

extension FrameworkCatalogue {
    /// Whether `level` falls short of `target` on this catalogue's scale (levels lowest first).
    /// An item with no result is short of any target.
    public func isBelow(_ level: String?, target: String) -> Bool {
        guard let targetRank = levels.firstIndex(where: { $0.id == target }) else { return false }
        guard let level, let rank = levels.firstIndex(where: { $0.id == level }) else { return true }
        return rank < targetRank
    }

    public func label(of level: String) -> String { levels.first { $0.id == level }?.label ?? level }

    /// The gaps a board is shown: items short of their target (the top level where none is set),
    /// and mandatory items not at the top level, in catalogue order.
    public func gaps(results: [String: String], targets: [String: String]) -> (belowTarget: [Item], mandatoryNotMet: [Item]) {
        guard let top = levels.last?.id else { return ([], []) }
        return (items.filter { isBelow(results[$0.id], target: targets[$0.id] ?? top) },
                items.filter { $0.mandatory && results[$0.id] != top })
    }

    /// Checks a result against what the item allows (CAF: no "partially achieved" where the outcome has none).
    public func check(level: String, item id: String) -> RuleError? {
        guard let item = items.first(where: { $0.id == id }) else { return RuleError(field: "item", message: "\(self.id) \(version) has no item \(id)") }
        guard item.levels.contains(level) else {
            return RuleError(field: "level", message: "\(item.id) allows \(item.levels.map(label(of:)).joined(separator: ", ")), not '\(level)'")
        }
        return nil
    }
}

/// Grades an item from the indicators ticked, by the rule NCSC's WebCAF applies (caf.yaml,
/// webcaf_status_rule): any indicator in the lowest column gives the lowest level; otherwise the
/// highest level whose every indicator is ticked; otherwise the lowest.
public enum IndicatorGrading {
    public static func grade(_ item: FrameworkCatalogue.Item, ticked: Set<String>) -> String? {
        guard let lowest = item.levels.first, !item.indicators.isEmpty else { return nil }
        let columns = Dictionary(grouping: item.indicators, by: \.level)
        if (columns[lowest] ?? []).contains(where: { ticked.contains($0.id) }) { return lowest }
        for level in item.levels.dropFirst().reversed() {
            if let column = columns[level], !column.isEmpty, column.allSatisfy({ ticked.contains($0.id) }) { return level }
        }
        return lowest
    }
}
