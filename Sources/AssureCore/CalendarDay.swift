import Foundation

/// A calendar date as NHS records use it (opened, due, reviewed), written YYYY-MM-DD and
/// compared in UTC, so a due date means the same day on every server.
public struct CalendarDay: Comparable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Parses `YYYY-MM-DD`, refusing days that do not exist (2026-02-30).
    public init?(_ text: String) {
        let parts = text.trimmingSpaces.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1900...2999).contains(year), (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The Gregorian calendar's month lengths (checked here rather than through Foundation's
    /// Calendar, which cost more than the rest of reading an inventory row).
    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// England's time zone: "today", due dates and overdue are the day it is in England, which
    /// from late March to late October starts an hour before the UTC day does.
    public static let england = TimeZone(identifier: "Europe/London")!

    private static let englishCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = england
        return calendar
    }()

    /// The day it is in England at that moment: the one to use for "today".
    public static func inEngland(_ date: Date) -> CalendarDay {
        let parts = englishCalendar.dateComponents([.year, .month, .day], from: date)
        return CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    private init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC day of a moment: for timestamps and dates that are UTC by definition (catalogues,
    /// feeds); "today" is `inEngland`.
    public init(_ date: Date) {
        let parts = Self.calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year!
        month = parts.month!
        day = parts.day!
    }

    /// Midnight UTC at the start of the day.
    public var date: Date { Self.calendar.date(from: DateComponents(year: year, month: month, day: day))! }

    public func adding(days: Int) -> CalendarDay { CalendarDay(date.addingTimeInterval(Double(days) * 86_400)) }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// The day as NHS pages and letters write it: "22 November 2026" (ISO 8601 stays for the API and CSV).
    public var nhsStyle: String { "\(day) \(Self.monthNames[month - 1]) \(year)" }

    /// The same for a stored `YYYY-MM-DD`; anything else is shown as it is.
    public static func nhsStyle(_ text: String) -> String { CalendarDay(text)?.nhsStyle ?? text }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = CalendarDay(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Enter the date as YYYY-MM-DD"))
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The message every date field shows when it cannot be read.
    public static let formatMessage = "Enter the date as YYYY-MM-DD, for example 2026-11-22"
}
