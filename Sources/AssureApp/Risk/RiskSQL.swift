import AssureCore
import SQLKit

/// The register's rules as SQL, written from `AssureCore`'s enums so that every query that
/// counts live risks or open actions means what the pages mean by them.
enum RiskSQL {
    /// `column IN ('open', 'tolerated')`: a risk this organisation still reviews (`RiskStatus.isLive`).
    static func isLive(_ column: String) -> SQLQueryString { "\(unsafeRaw: column) IN \(unsafeRaw: list(RiskStatus.live.map(\.rawValue)))" }

    /// The same for Fluent's filters: `.filter(\.$status ~~ RiskSQL.liveStatuses)`.
    static var liveStatuses: [String] { RiskStatus.live.map(\.rawValue) }

    /// `column IN ('not-started', 'in-progress')`: an action still to do (`RiskActionStatus.isOpen`).
    static func isOpen(_ column: String) -> SQLQueryString { "\(unsafeRaw: column) IN \(unsafeRaw: list(RiskActionStatus.open.map(\.rawValue)))" }

    /// The enum's own raw values (code, not input) as an SQL list.
    private static func list(_ values: [String]) -> String { "(" + values.map { "'\($0)'" }.joined(separator: ", ") + ")" }
}
