import Foundation

/// A moment as people in England read it: "22 November 2026, 14:05 GMT" (BST in summer). Pages,
/// board packs and printed reports show times this way; the API and CSV keep ISO 8601 in UTC.
public enum LondonTime {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarDay.england
        return calendar
    }()

    public static func format(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let zone = CalendarDay.england.isDaylightSavingTime(for: date) ? "BST" : "GMT"
        return "\(CalendarDay.inEngland(date).nhsStyle), \(String(format: "%02d:%02d", parts.hour!, parts.minute!)) \(zone)"
    }
}
