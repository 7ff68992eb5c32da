/// The period a board pack reports on: both days inclusive, ending no later than today. Without
/// dates it is the last quarter (90 days), the usual gap between board meetings.
public struct ReportingPeriod: Equatable, Sendable {
    public let from: CalendarDay
    public let to: CalendarDay

    public static let defaultDays = 90
    public static let longestDays = 3 * 366

    /// Reads `from` and `to` (YYYY-MM-DD, either may be empty), naming the field at fault.
    public static func read(from rawFrom: String?, to rawTo: String?, today: CalendarDay) -> (period: ReportingPeriod?, problems: [RuleError]) {
        var problems: [RuleError] = []
        func day(_ raw: String?, _ field: String) -> CalendarDay? {
            guard let raw = raw?.trimmingSpaces, !raw.isEmpty else { return nil }
            guard let day = CalendarDay(raw) else {
                problems.append(RuleError(field: field, message: "\(field) must be a date written YYYY-MM-DD, such as 2026-04-01"))
                return nil
            }
            return day
        }
        let to = day(rawTo, "to") ?? today
        let from = day(rawFrom, "from") ?? to.adding(days: -defaultDays)
        if to > today { problems.append(RuleError(field: "to", message: "The period cannot end after today (\(today))")) }
        if to < from { problems.append(RuleError(field: "to", message: "The period ends (\(to)) before it starts (\(from))")) }
        else if from.adding(days: longestDays) < to { problems.append(RuleError(field: "from", message: "A board pack covers at most three years")) }
        guard problems.isEmpty else { return (nil, problems) }
        return (ReportingPeriod(from: from, to: to), [])
    }
}
