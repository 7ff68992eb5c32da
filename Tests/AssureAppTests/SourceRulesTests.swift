import Foundation
import XCTest

/// Rules about the source itself that keep one way of doing a thing: every value reaches HTML
/// through `HTMLEscaping`, only `PlotAttributes.swift` builds a Plot attribute by hand, and SQLKit
/// is reached through the one throwing accessor.
final class SourceRulesTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/AssureApp").standardized

    static func swiftFiles() throws -> [(name: String, text: String)] {
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        var files: [(String, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            files.append((url.lastPathComponent, try String(contentsOf: url, encoding: .utf8)))
        }
        return files
    }

    func testOnlyTheEscapingFilesEscapeOrBuildAttributes() throws {
        let files = try Self.swiftFiles()
        XCTAssertGreaterThan(files.count, 100)
        for (name, text) in files {
            if name != "PlotAttributes.swift" {
                XCTAssertFalse(text.contains("Attribute(name:"), "\(name) builds a Plot attribute by hand; use the builders (PlotAttributes.swift escapes them)")
            }
            if name != "HTMLEscaping.swift" {
                XCTAssertFalse(text.contains("&lt;") || text.contains("&quot;"), "\(name) escapes HTML itself; use HTMLEscaping")
            }
        }
    }

    /// A cast that fails silently returned an empty list or skipped the audit append; the accessor
    /// throws instead.
    func testSQLKitIsReachedOnlyThroughTheThrowingAccessor() throws {
        for (name, text) in try Self.swiftFiles() where name != "SQLAccess.swift" {
            for cast in ["as? any SQLDatabase", "as! any SQLDatabase", "as? SQLDatabase", "as! SQLDatabase"] {
                XCTAssertFalse(text.contains(cast), "\(name) casts to SQLDatabase (\(cast)); use `try database.sqlDatabase`")
            }
        }
    }

    /// What a live risk and an open action are is written once, in `AssureCore`, and reaches SQL
    /// through `RiskSQL` (the literal list was written out seven times).
    func testLiveRisksAndOpenActionsAreWrittenOnce() throws {
        for (name, text) in try Self.swiftFiles() where name != "RiskSQL.swift" {
            XCTAssertFalse(text.contains("'tolerated'") || text.contains("'in-progress'"), "\(name) spells out a status list in SQL; use RiskSQL.isLive / isOpen")
            XCTAssertFalse(text.contains(#""open", "tolerated""#), "\(name) spells out the live statuses for Fluent; use RiskSQL.liveStatuses")
        }
    }

    /// A page, API handler or command gets its organisation through `OrganisationContext`, never by
    /// reading the ancestry again or inventing a person for a command.
    func testOrganisationsComeThroughTheOneContext() throws {
        for (name, text) in try Self.swiftFiles() {
            XCTAssertFalse(text.contains("Identity(userID: UUID()"), "\(name) invents an identity; a command acts as itself (OrganisationContext.command)")
            // A person's own page lists roles in many organisations; it belongs to no one organisation.
            let handler = name.hasSuffix("Page.swift") || name.hasSuffix("Pages.swift") || name.hasSuffix("API.swift")
            if handler && name != "PersonPage.swift" {
                XCTAssertFalse(text.contains(".ancestry(of:"), "\(name) reads an organisation's ancestry itself; use OrganisationContext (its chain is read once)")
            }
        }
    }

    /// Audit events are built in one place (`AuditContext.event`), so each carries the actor,
    /// request and address of the change without being written out again.
    func testAuditEventsAreBuiltInOnePlace() throws {
        for (name, text) in try Self.swiftFiles() where name != "AuditTrail.swift" {
            // Any spacing: an initialiser split over lines is still one built by hand.
            let byHand = text.range(of: #"AuditEvent\(\s*actor:"#, options: .regularExpression) != nil
            XCTAssertFalse(byHand, "\(name) builds an audit event by hand; use AuditContext.event")
        }
    }

    /// The time comes from the injected clock (`AssureClock`), so tests can fix it and every part
    /// of Assure agrees on "now". Only the clock itself and log lines (the moment of writing) read it.
    func testTheTimeComesFromTheInjectedClock() throws {
        for (name, text) in try Self.swiftFiles() where !["Sessions.swift", "LogFormatting.swift"].contains(name) {
            XCTAssertFalse(text.contains("Date()"), "\(name) reads the time itself; use the application's AssureClock")
        }
    }

    /// Counts are written by `Words`, so no page says "1 rows".
    func testPluralsComeFromWords() throws {
        for (name, text) in try Self.swiftFiles() {
            XCTAssertFalse(text.contains("== 1 ? \"\" : \"s\""), "\(name) makes a plural by hand; use Words.count or Words.noun")
        }
    }
}
