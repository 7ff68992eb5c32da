import AssureCore
import XCTest
@testable import AssureApp

/// The register's view is a pure function of its model: rendered here from hand-built models,
/// without a database.
final class RiskRegisterViewTests: XCTestCase {
    func model(_ rows: [RiskRow], may: RiskRegisterPage.Model.Permissions = .init()) -> RiskRegisterPage.Model {
        var model = RiskRegisterPage.Model(code: "T91", name: "Kingsmere University Hospitals", hasOrganisationsBelow: false,
                                           matrix: .nhs5x5, settings: .standard, today: CalendarDay("2026-11-22")!, may: may)
        model.rows = rows
        model.total = rows.count
        model.figures = .init(live: rows.count, aboveAppetite: 1, reviewOverdue: 1, escalated: 0)
        return model
    }

    func row(_ number: Int, category: RiskCategory, score: Int, nextReview: String, overdueActions: Int = 0) -> RiskRow {
        RiskRow(number: number, reference: "R-\(number)", title: "Risk \(number)", category: category.rawValue, owner: "risk.lead@kingsmere.example",
                department: "", status: "open", current_likelihood: 2, current_consequence: score / 2, current_score: score,
                target_score: 4, previous_score: nil, last_reviewed: "2026-10-01", next_review: nextReview, overdue_actions: overdueActions,
                owner_name: number == 1 ? "Aisha Khan" : nil)
    }

    func testRowsShowScoresAppetiteAndOverdueReviewsInNHSDates() {
        let rows = [row(1, category: .cyberSecurity, score: 12, nextReview: "2026-11-01", overdueActions: 2),
                    row(2, category: .financial, score: 6, nextReview: "2027-01-15")]
        let html = Layout.render(PageShell(title: "Risk register"), RiskRegisterPage.view(model(rows)))
        let page = ParsedPage(html)
        XCTAssertEqual(page.elements(named: "tr").count, 1 + 2, "a header and a row a risk")
        XCTAssertTrue(html.contains("1 November 2026") && html.contains("15 January 2027"), "next reviews in the NHS style")
        XCTAssertEqual(html.components(separatedBy: "Above appetite</span>").count - 1, 1, "only the cyber risk is above its appetite of 6")
        XCTAssertEqual(html.components(separatedBy: ">Overdue</span>").count - 1, 1, "only the review due before today is overdue")
        XCTAssertTrue(html.contains("2 risks · page 1 of 1"))
        XCTAssertTrue(html.contains(">Aisha Khan<"), "an owner with an account is shown by name")
        XCTAssertTrue(html.contains(">risk.lead@kingsmere.example<"), "one without keeps the email the record holds")
    }

    func testButtonsFollowWhatThePersonMayDo() {
        let viewer = Layout.render(PageShell(title: "Risk register"), RiskRegisterPage.view(model([])))
        XCTAssertFalse(viewer.contains("Add a risk"), "a viewer is offered no way to add")
        XCTAssertFalse(viewer.contains("Import CSV"))
        XCTAssertTrue(viewer.contains("No risks yet"))
        let manager = Layout.render(PageShell(title: "Risk register"),
                                    RiskRegisterPage.view(model([], may: .init(create: true, importRisks: true, manageSettings: true))))
        XCTAssertTrue(manager.contains("Add a risk") && manager.contains("Import CSV") && manager.contains("Appetite and matrix"))
    }
}
