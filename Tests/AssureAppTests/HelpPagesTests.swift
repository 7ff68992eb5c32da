import AssureCore
import Foundation
import XCTVapor
@testable import AssureApp

/// Help says what each page means and where its data comes from, with the reference data Assure
/// holds flagged where it is not confirmed; About shows the service to its administrators.
final class HelpPagesTests: XCTestCase {
    /// The views are pure functions of their models: rendered here without a database.
    func testHelpFlagsReferenceDataThatIsNotConfirmed() {
        let confirmed = SubmissionDeadlines.all.first { $0.verified }!, unconfirmed = SubmissionDeadlines.all.first { !$0.verified }!
        let model = HelpPage.Model(sections: HelpPage.sections, deadlines: [confirmed, unconfirmed],
                                   frameworks: [("A framework", "1.0", "2024", "Its publisher", true)])
        let page = ParsedPage(Layout.render(PageShell(title: "Help"), HelpPage.view(model)))
        let rows = page.elements(named: "tr").count
        XCTAssertEqual(rows, 1 + 2 + 1 + 1, "a header and a row for each deadline and framework")
        let html = Layout.render(PageShell(title: "Help"), HelpPage.view(model))
        XCTAssertTrue(html.contains(confirmed.finalDue.nhsStyle))
        XCTAssertTrue(html.contains(unconfirmed.finalDue.nhsStyle))
        XCTAssertEqual(html.components(separatedBy: "Not confirmed").count - 1, 2, "the unconfirmed deadline and the unverified framework")
        for section in HelpPage.sections { XCTAssertTrue(html.contains(section.title), section.title) }
    }

    func testAboutSaysWhenTheSchemaIsBehindAndWhenNoFeedIsImported() {
        let behind = AboutPage.Model(version: "9.9.9", database: "PostgreSQL", schemaVersion: 30, pending: 2, reachable: true, feeds: [])
        let html = Layout.render(PageShell(title: "About"), AboutPage.view(behind))
        XCTAssertTrue(html.contains("Behind: 2 migrations to apply"), html)
        XCTAssertTrue(html.contains("No feeds imported yet"))
        let feed = AboutPage.Feed(kind: "kev", source: "kev.json.gz", records: 1_484, catalogueDate: "2026-11-20", importedAt: Date(timeIntervalSince1970: 1_795_000_000))
        let current = AboutPage.Model(version: "9.9.9", database: "SQLite", schemaVersion: 30, pending: 0, reachable: true, feeds: [feed])
        let page = Layout.render(PageShell(title: "About"), AboutPage.view(current))
        XCTAssertTrue(page.contains("Current (30 migrations applied)"))
        XCTAssertTrue(page.contains("1,484"))
        XCTAssertTrue(page.contains("20 November 2026"))
        XCTAssertTrue(page.contains(LondonTime.format(feed.importedAt)))
    }

    func testHelpIsOpenAndAboutNeedsSigningIn() async throws {
        try await withAssure { app in
            try await app.send(.GET, "/help", as: .some(nil)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Reference data from outside Assure"))
            }
            try await app.send(.GET, "/about", as: .some(nil)) { res async throws in
                XCTAssertNotEqual(res.status, .ok, "About needs signing in")
            }
            try await app.send(.GET, "/about") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Assure \(AssureRelease.version)"))
                XCTAssertTrue(res.text.contains("SQLite") || res.text.contains("PostgreSQL"))
                XCTAssertTrue(res.text.contains("Current ("), res.text)
            }
        }
    }

    func testMomentsAndNumbersReadAsInEngland() {
        // 14:05 UTC in November is 14:05 GMT; in July it is 15:05 BST.
        XCTAssertEqual(LondonTime.format(Date(timeIntervalSince1970: 1_795_356_300)), "22 November 2026, 14:05 GMT")
        XCTAssertEqual(LondonTime.format(Date(timeIntervalSince1970: 1_784_815_500)), "23 July 2026, 15:05 BST")
        XCTAssertEqual(Words.number(32_104), "32,104")
        XCTAssertEqual(Words.number(999), "999")
        XCTAssertEqual(Words.number(-1_000_000), "-1,000,000")
    }
}
