import AssureCore
import XCTest
@testable import AssureApp

/// The estate overview's view is a pure function of its model: rendered from hand-built models,
/// without a database or a knowledge base.
final class EstateOverviewViewTests: XCTestCase {
    func testAnEmptyEstateAsksForAnInventoryAndOffersTheFormOnlyToThoseWhoMayImport() {
        var model = EstateOverviewPage.Model(code: "T91", name: "Kingsmere University Hospitals", thresholds: EstateRiskThresholds())
        let viewer = Layout.render(PageShell(title: "Estate"), EstateOverviewPage.view(model))
        XCTAssertTrue(viewer.contains("No devices yet"))
        XCTAssertFalse(ParsedPage(viewer).forms.contains { $0.action.contains("/estate/") }, "a viewer is offered no import or threshold form")
        model.may = .init(importAndAnalyse: true, setThresholds: true)
        let manager = ParsedPage(Layout.render(PageShell(title: "Estate"), EstateOverviewPage.view(model)))
        let forms = manager.forms.map(\.action)
        XCTAssertTrue(forms.contains { $0.hasPrefix("/organisations/T91/estate/import") }, "\(forms)")
        XCTAssertTrue(forms.contains("/organisations/T91/estate/settings"), "\(forms)")
    }

    func testFiguresTopVulnerabilitiesAndTheOrganisationsBelow() {
        var own = EstateRollUp()
        own.devices = 1_200; own.patchCompliant = 1_080; own.knownExploited = 3; own.unsupportedOS = 0
        var child = EstateRollUp()
        child.devices = 400; child.patchCompliant = 400
        var model = EstateOverviewPage.Model(code: "Q9A", name: "NHS Avalon North ICB", thresholds: EstateRiskThresholds())
        model.own = own
        model.children = [(.init(code: "T91", name: "Kingsmere"), child)]
        model.total = own
        model.total.add(child)
        model.details = .init(top: [.init(cve: "CVE-2019-0708", devices: 3, score: 9.8, severity: "critical", known_exploited: true, ransomware: true)],
                              cycles: [.init(lifecycle: "Windows 10 21H2", end_of_life: "2023-06-13", devices: 2)])
        model.trend = [.init(day: "2026-11-21", roll_up: own)]
        let html = Layout.render(PageShell(title: "Estate"), EstateOverviewPage.view(model))
        XCTAssertTrue(html.contains("90%"), "1,080 of 1,200 devices are patch compliant")
        XCTAssertTrue(html.contains("Yes, ransomware"))
        XCTAssertTrue(html.contains("13 June 2023"), "end of support in the NHS style")
        XCTAssertTrue(html.contains("21 November 2026"), "trend days in the NHS style")
        XCTAssertTrue(html.contains("Kingsmere (T91)"))
        XCTAssertTrue(html.contains("Together: 1,600 devices"), html)
        XCTAssertFalse(html.contains("No devices yet"))
    }

    func testAFormSentBackShowsItsValuesAndTheProblemBesideTheField() {
        var model = EstateOverviewPage.Model(code: "T91", name: "Kingsmere", thresholds: EstateRiskThresholds())
        model.may = .init(importAndAnalyse: true, setThresholds: true)
        model.submitted = .init(values: ["known_exploited_percent": "lots"], problems: [.init(field: "known_exploited_percent", message: "Enter a percentage from 0 to 100")])
        let page = ParsedPage(Layout.render(PageShell(title: "Estate"), EstateOverviewPage.view(model)))
        let field = page.elements(named: "input").first { $0.attributes["id"] == "known_exploited_percent" }
        XCTAssertEqual(field?.attributes["value"], "lots")
        XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "known_exploited_percent-error" })
    }
}
