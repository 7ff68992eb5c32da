import AssureCore
import XCTest
@testable import AssureApp

/// The assessment list's view is a pure function of its model: rendered from hand-built models.
final class AssessmentListViewTests: XCTestCase {
    static func assessment(_ number: Int, period: String, finalDue: String) -> Assessment {
        let assessment = Assessment()
        assessment.id = UUID()
        assessment.number = number
        assessment.frameworkID = "dspt"
        assessment.frameworkVersion = "2025-26"
        assessment.period = period
        assessment.finalDue = finalDue
        return assessment
    }

    func testProgressAndDeadlinesReadDownTheTable() {
        let older = Self.assessment(1, period: "2024-25", finalDue: "2025-06-30"), newer = Self.assessment(2, period: "2025-26", finalDue: "2026-06-30")
        var model = AssessmentListPage.Model(code: "T91", organisationName: "Kingsmere", today: CalendarDay("2026-12-07")!, assessments: [newer, older])
        model.progress = [newer.id!: .init(items: 40, assessed: 30, top: 12, belowTarget: 5)]
        model.frameworkTitles = [newer.id!: "Data Security and Protection Toolkit 2025-26", older.id!: "Data Security and Protection Toolkit 2025-26"]
        let html = Layout.render(PageShell(title: "Compliance assessments"), AssessmentListPage.view(model))
        XCTAssertTrue(html.contains("30 of 40"))
        XCTAssertTrue(html.contains("30 June 2026") && html.contains("30 June 2025"), "deadlines in the NHS style")
        let newest = html.range(of: "2025-26</td>"), oldest = html.range(of: "2024-25</td>")
        XCTAssertNotNil(newest)
        XCTAssertLessThan(newest!.lowerBound, oldest!.lowerBound, "the newest period of a framework comes first")
        XCTAssertFalse(ParsedPage(html).forms.contains { $0.action.contains("/assessments") }, "a viewer is offered no form")
    }

    func testACopySentBackShowsItsProblemOnlyInTheCopyForm() {
        var model = AssessmentListPage.Model(code: "T91", organisationName: "Kingsmere", today: CalendarDay("2026-12-07")!,
                                             assessments: [Self.assessment(1, period: "2025-26", finalDue: "2026-06-30")], mayStart: true)
        model.copy = .init(source: "A1", framework: "", period: "", interim_due: nil, final_due: "2027-06-30")
        model.problems = [.init(field: "period", message: "Enter the period, for example 2026-27")]
        let page = ParsedPage(Layout.render(PageShell(title: "Compliance assessments"), AssessmentListPage.view(model)))
        XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "copy-period-error" })
        XCTAssertFalse(page.elements(named: "p").contains { $0.attributes["id"] == "period-error" }, "the start form was not the one sent")
        XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "copy-final_due" }?.attributes["value"], "2027-06-30")
    }

    func testNoAssessmentsYetSaysHowToStart() {
        let model = AssessmentListPage.Model(code: "T91", organisationName: "Kingsmere", today: CalendarDay("2026-12-07")!, mayStart: true)
        let html = Layout.render(PageShell(title: "Compliance assessments"), AssessmentListPage.view(model))
        XCTAssertTrue(html.contains("No assessments yet"))
        XCTAssertFalse(html.contains("Copy an assessment forward"), "nothing to copy from")
    }
}
