/// When a national return is due for a period: reference data set outside Assure, each with its
/// source, the day it applies from and whether it was checked against the publisher. Assure uses
/// it when an assessment is started without deadlines, and shows the unverified flag with it.
public struct SubmissionDeadline: Sendable, Equatable {
    public let frameworks: [String]
    /// The reporting year, as the publisher names it ("2025-26").
    public let period: String
    public let interimDue: CalendarDay?
    public let finalDue: CalendarDay
    public let source: String
    /// The first day of the period it is for.
    public let effective: CalendarDay
    public let verified: Bool
}

public enum SubmissionDeadlines {
    static let dspt = ["dspt-ndg", "dspt-caf"]
    static let dsptSource = "NHS England, Data Security and Protection Toolkit guidance (dsptoolkit.nhs.uk); as recorded in shared/domain/dspt.yaml"

    public static let all: [SubmissionDeadline] = [
        SubmissionDeadline(frameworks: dspt, period: "2023-24", interimDue: CalendarDay("2024-02-29"), finalDue: CalendarDay("2024-06-30")!,
                           source: dsptSource + " (version 6; the interim date is the baseline)", effective: CalendarDay("2023-04-01")!, verified: true),
        SubmissionDeadline(frameworks: dspt, period: "2024-25", interimDue: CalendarDay("2024-12-31"), finalDue: CalendarDay("2025-06-30")!,
                           source: dsptSource + " (version 7; the interim date is the baseline)", effective: CalendarDay("2024-04-01")!, verified: true),
        SubmissionDeadline(frameworks: dspt, period: "2025-26", interimDue: nil, finalDue: CalendarDay("2026-06-30")!,
                           source: dsptSource + " (version 8; not confirmed against the publisher)", effective: CalendarDay("2025-04-01")!, verified: false),
        SubmissionDeadline(frameworks: dspt, period: "2026-27", interimDue: nil, finalDue: CalendarDay("2027-06-30")!,
                           source: "Expected, not published: the DSPT's final deadline has been 30 June each year since 2021 (shared/domain/dspt.yaml)",
                           effective: CalendarDay("2026-04-01")!, verified: false),
    ]

    /// The deadline published (or expected) for a framework's period, if Assure knows one.
    public static func deadline(framework: String, period: String) -> SubmissionDeadline? {
        all.first { $0.frameworks.contains(framework) && $0.period == period }
    }

    /// The NHS reporting year a day falls in, April to March: "2026-27" from 1 April 2026.
    public static func period(containing day: CalendarDay) -> String {
        let start = day.month >= 4 ? day.year : day.year - 1
        return "\(start)-\(String(format: "%02d", (start + 1) % 100))"
    }
}
