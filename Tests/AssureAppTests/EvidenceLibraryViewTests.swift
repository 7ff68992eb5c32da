import AssureCore
import XCTest
@testable import AssureApp

/// The evidence library's view is a pure function of its model: rendered from hand-built models.
final class EvidenceLibraryViewTests: XCTestCase {
    static func evidence(_ number: Int, _ title: String, reviewBy: String?) -> Evidence {
        let evidence = Evidence()
        evidence.id = UUID()
        evidence.number = number
        evidence.kind = EvidenceKind.file.rawValue
        evidence.title = title
        evidence.reviewBy = reviewBy
        evidence.approval = EvidenceApproval.approved.rawValue
        evidence.ownerEmail = "ig.lead@kingsmere.example"
        return evidence
    }

    func testTheLibraryShowsReviewDatesInTheNHSStyleAndWhatEachSupports() {
        let policy = Self.evidence(1, "Information security policy", reviewBy: "2026-12-20")
        let certificate = Self.evidence(2, "Cyber Essentials certificate", reviewBy: "2026-10-01")
        let model = EvidenceLibraryPage.Model(code: "T91", organisationName: "Kingsmere", today: CalendarDay("2026-12-07")!, show: nil,
                                              evidence: [policy, certificate], usage: [policy.id!: 3], maxUploadBytes: 20 * 1_048_576)
        let html = Layout.render(PageShell(title: "Evidence library"), EvidenceLibraryPage.view(model))
        XCTAssertTrue(html.contains("20 December 2026"))
        XCTAssertTrue(html.contains("3 items"))
        XCTAssertTrue(html.contains("Not used yet"))
        XCTAssertTrue(html.contains("Expired"), "the certificate's review date has passed")
        XCTAssertFalse(ParsedPage(html).forms.contains { $0.action.contains("/evidence") }, "no forms for someone who may not add evidence")
    }

    func testAFormSentBackKeepsItsValuesAndTheOtherFormsAreEmpty() {
        var model = EvidenceLibraryPage.Model(code: "T91", organisationName: "Kingsmere", today: CalendarDay("2026-12-07")!, show: .expired, mayAdd: true,
                                              maxUploadBytes: 20 * 1_048_576)
        var input = EvidenceLibrary.Input()
        input.url = "not a web address"
        input.title = "Asset register"
        model.submitted = .init(form: "link", input: input, problems: [.init(field: "url", message: "Enter a web address starting https://")])
        let html = Layout.render(PageShell(title: "Evidence library"), EvidenceLibraryPage.view(model))
        let page = ParsedPage(html)
        XCTAssertTrue(html.contains("No evidence in this view."))
        XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "link-url" }?.attributes["value"], "not a web address")
        XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "link-title" }?.attributes["value"], "Asset register")
        XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "upload-title" }?.attributes["value"] ?? "", "")
        XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "link-url-error" })
        XCTAssertTrue(page.elements(named: "a").contains { $0.attributes["href"] == "#link-url" }, "the summary links to the field")
    }
}
