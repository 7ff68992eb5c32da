import XCTest
@testable import AssureCore

/// Evidence file rules, expiry, mappings, copy forward and the automated risk review rule.
final class ComplianceRulesTests: XCTestCase {
    func testEvidenceNamesThatTryToLeaveTheFolderAreRefused() {
        for name in ["../secret.pdf", "a/b.pdf", "a\\b.pdf", ".hidden.pdf", "..", "x\u{0}.pdf", ""] {
            if case .success = EvidenceFileRules.checkedName(name) { XCTFail("accepted \(name.debugDescription)") }
        }
        XCTAssertEqual(try EvidenceFileRules.checkedName(" Board minutes 2026-05.pdf ").get(), "Board minutes 2026-05.pdf")
    }

    func testEvidenceTypesAreAllowListedAndMatchTheirContents() {
        XCTAssertEqual(try EvidenceFileRules.contentType(name: "a.PDF", firstBytes: Array("%PDF-1.7".utf8)).get(), "application/pdf")
        XCTAssertEqual(try EvidenceFileRules.contentType(name: "a.xlsx", firstBytes: [0x50, 0x4B, 0x03, 0x04]).get(),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if case .success = EvidenceFileRules.contentType(name: "a.pdf", firstBytes: Array("MZ".utf8)) { XCTFail("an executable named .pdf") }
        if case .success = EvidenceFileRules.contentType(name: "a.html", firstBytes: Array("<html>".utf8)) { XCTFail("HTML") }
        if case .success = EvidenceFileRules.contentType(name: "a.txt", firstBytes: [0x41, 0x00]) { XCTFail("binary as text") }
        XCTAssertNil(EvidenceFileRules.checkSize(1024, limit: 1024))
        XCTAssertEqual(EvidenceFileRules.checkSize(1025, limit: 1024)?.field, "file")
        XCTAssertEqual(EvidenceFileRules.checkSize(0, limit: 1024)?.message, "The file is empty")
    }

    func testEvidenceCurrencyOnTheDay() throws {
        let today = try XCTUnwrap(CalendarDay("2026-11-22"))
        XCTAssertEqual(EvidenceCurrency.of(reviewBy: CalendarDay("2026-11-21"), today: today), .expired)
        XCTAssertEqual(EvidenceCurrency.of(reviewBy: today, today: today), .expiringSoon)
        XCTAssertEqual(EvidenceCurrency.of(reviewBy: CalendarDay("2026-12-22"), today: today), .expiringSoon)
        XCTAssertEqual(EvidenceCurrency.of(reviewBy: CalendarDay("2026-12-23"), today: today), .current)
        XCTAssertEqual(EvidenceCurrency.of(reviewBy: nil, today: today), .noReviewDate)
        if case .success = EvidenceLinkRules.check("javascript:alert(1)") { XCTFail("a script link") }
        XCTAssertEqual(try EvidenceLinkRules.check("https://intranet.example.nhs.uk/a.pdf").get(), "https://intranet.example.nhs.uk/a.pdf")
    }

    static let old = FrameworkCatalogue(
        id: "caf", version: "1", title: "Old", publisher: "p", licence: "l", attribution: "", published: "", unverified: false,
        levels: [.init(id: "na", label: "NA"), .init(id: "pa", label: "PA"), .init(id: "a", label: "A")],
        groups: [.init(id: "G", title: "G", items: [.init(id: "X1", title: "x", levels: ["na", "pa", "a"]), .init(id: "X2", title: "x", levels: ["na", "pa", "a"]),
                                                     .init(id: "X3", title: "x", levels: ["na", "pa", "a"])])], profiles: [])
    static let new = FrameworkCatalogue(
        id: "caf", version: "2", title: "New", publisher: "p", licence: "l", attribution: "", published: "", unverified: false,
        levels: [.init(id: "na", label: "NA"), .init(id: "pa", label: "PA"), .init(id: "a", label: "A")],
        groups: [.init(id: "G", title: "G", items: [.init(id: "Y1", title: "y", levels: ["na", "a"]), .init(id: "Y2", title: "y", levels: ["na", "pa", "a"]),
                                                     .init(id: "Y3", title: "y", levels: ["na", "pa", "a"])])], profiles: [])

    func testCopyForwardCarriesOnlyEqualItemsAtLevelsTheNewItemAllowsAndTheLowerOfTwo() {
        let mapping = FrameworkMapping(id: "m", title: "m", source: "caf@1", target: "caf@2", reviewed: "", entries: [
            .init(from: "X1", to: "Y1", relationship: .equal), .init(from: "X2", to: "Y2", relationship: .equal),
            .init(from: "X3", to: "Y2", relationship: .equal), .init(from: "X3", to: "Y3", relationship: .subset, note: "narrower"),
        ])
        XCTAssertTrue(mapping.problems(source: Self.old, target: Self.new).isEmpty)
        let carried = CopyForward.carry(results: ["X1": "pa", "X2": "a", "X3": "pa"], from: Self.old, to: Self.new, through: mapping)
        XCTAssertEqual(carried, [CopyForward.Carried(item: "Y2", level: "pa", from: "X3")],
                       "Y1 has no 'pa'; Y2 takes the lower of X2 and X3; a subset does not carry to Y3")
        XCTAssertEqual(CopyForward.carry(results: ["X1": "a"], from: Self.old, to: Self.new, through: nil), [], "no mapping, nothing carried")
        XCTAssertEqual(CopyForward.carry(results: ["X1": "a"], from: Self.old, to: Self.old, through: nil).map(\.item), ["X1"], "same version: item for item")
        XCTAssertEqual(mapping.related(to: "Y2", in: "caf@2").map(\.item), ["X2", "X3"])
        XCTAssertEqual(mapping.related(to: "X3", in: "caf@1").map(\.relationship), [.equal, .subset])
        XCTAssertEqual(mapping.related(to: "Y3", in: "caf@2").map(\.relationship), [.superset], "read from the other side")
        let bad = FrameworkMapping(id: "m", title: "m", source: "caf@1", target: "caf@2", reviewed: "", entries: [.init(from: "X9", to: "Y1", relationship: .intersects)])
        XCTAssertEqual(bad.problems(source: Self.old, target: Self.new).map(\.field), ["from", "note"])
        XCTAssertEqual(bad.problems(source: nil, target: Self.new).map(\.field), ["source"])
    }

    func testRiskReviewComplianceGradesTheShareReviewedOnTime() throws {
        let day = try XCTUnwrap(CalendarDay("2026-11-22"))
        let levels = ["not-achieved", "partially-achieved", "achieved"]
        XCTAssertEqual(RiskReviewRule.grade(live: 20, overdue: 1, allowed: levels, on: day).level, "achieved")
        XCTAssertEqual(RiskReviewRule.grade(live: 20, overdue: 2, allowed: levels, on: day).level, "partially-achieved")
        XCTAssertEqual(RiskReviewRule.grade(live: 20, overdue: 2, allowed: ["not-achieved", "achieved"], on: day).level, "not-achieved")
        XCTAssertEqual(RiskReviewRule.grade(live: 20, overdue: 6, allowed: levels, on: day).level, "not-achieved")
        XCTAssertEqual(RiskReviewRule.grade(live: 0, overdue: 0, allowed: levels, on: day).level, "not-achieved", "no register, no evidence of a process")
        XCTAssertEqual(RiskReviewRule.grade(live: 8, overdue: 4, allowed: levels, on: day).figure,
                       "4 of 8 live risks (50%) were within their review date on 2026-11-22; 4 overdue")
        XCTAssertEqual(AutomatedCheck.checks(for: "A2.a", in: "dspt-caf").map(\.id), ["risk-review-compliance"])
        XCTAssertTrue(AutomatedCheck.checks(for: "A2.a", in: "cyber-essentials").isEmpty)
    }

    func testIndicatorsGradeAnItemByTheWebCAFRule() {
        let item = FrameworkCatalogue.Item(id: "B2.a", title: "t", levels: ["not-achieved", "partially-achieved", "achieved"], indicators: [
            .init(id: "NA1", level: "not-achieved", title: "No MFA"),
            .init(id: "PA1", level: "partially-achieved", title: "MFA on remote access"),
            .init(id: "A1", level: "achieved", title: "MFA everywhere"), .init(id: "A2", level: "achieved", title: "Reviewed yearly"),
        ])
        XCTAssertEqual(IndicatorGrading.grade(item, ticked: ["A1", "A2"]), "achieved")
        XCTAssertEqual(IndicatorGrading.grade(item, ticked: ["A1", "A2", "NA1"]), "not-achieved", "any not-achieved indicator")
        XCTAssertEqual(IndicatorGrading.grade(item, ticked: ["PA1", "A1"]), "partially-achieved", "partially in full, achieved not")
        XCTAssertEqual(IndicatorGrading.grade(item, ticked: ["A1"]), "not-achieved", "neither full set")
        XCTAssertEqual(IndicatorGrading.grade(item, ticked: []), "not-achieved")
        XCTAssertNil(IndicatorGrading.grade(.init(id: "x", title: "x", levels: ["a"]), ticked: []), "no checklist, no grade")
        var bad = Self.old
        bad.groups[0].items[0].indicators = [.init(id: "I", level: "made-up", title: "t"), .init(id: "I", level: "a", title: "")]
        XCTAssertEqual(bad.problems().map(\.message), ["I is in the column 'made-up', which X1 does not allow", "'I' is used more than once", "I needs a title"])
    }

    func testDSPTStatusFromCounts() {
        XCTAssertEqual(DSPTStatus.rollUp(mandatoryMet: 3, mandatory: 4, met: 10, items: 10), .notMet)
        XCTAssertEqual(DSPTStatus.rollUp(mandatoryMet: 4, mandatory: 4, met: 9, items: 10), .approaching)
        XCTAssertEqual(DSPTStatus.rollUp(mandatoryMet: 4, mandatory: 4, met: 10, items: 10), .met)
    }
}
