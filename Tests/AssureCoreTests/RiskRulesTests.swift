import AssureCore
import Foundation
import XCTest

final class RiskMatrixTests: XCTestCase {
    func testTheShippedMatricesAreValidAndScoreAsTheirSources() throws {
        for matrix in RiskMatrix.standard { XCTAssertNoThrow(try matrix.validate(), matrix.key) }
        let nhs = RiskMatrix.nhs5x5
        XCTAssertEqual(nhs.score(likelihood: 4, consequence: 5), 20)
        XCTAssertEqual(nhs.achievableScores, [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25])
        XCTAssertEqual(nhs.band(for: 3)?.key, "low")
        XCTAssertEqual(nhs.band(for: 12)?.key, "high")
        XCTAssertEqual(nhs.band(for: 15)?.label, "Extreme")
        XCTAssertTrue(nhs.band(for: 2)?.verified?.hasPrefix("partial") ?? false, "only the Low band was verified")
        XCTAssertNil(nhs.score(likelihood: 6, consequence: 1))
        let dcb = RiskMatrix.dcbClinical
        XCTAssertEqual(dcb.score(likelihood: 5, consequence: 4), 5, "Very high × Major is Unacceptable")
        XCTAssertEqual(dcb.score(likelihood: 1, consequence: 1), 1)
        XCTAssertEqual(dcb.score(likelihood: 3, consequence: 3), 3)
        XCTAssertEqual(dcb.band(for: 4)?.acceptable?.hasPrefix("no"), true)
        XCTAssertEqual(nhs.domains.count, 6)
    }

    func testAnOrganisationCanDefineA4x4AndBadDefinitionsAreRefused() throws {
        var four = RiskMatrix(key: "trust-4x4", name: "Trust 4×4", source: "Trust policy",
                              likelihood: (1...4).map { .init(score: $0, label: "L\($0)") }, consequence: (1...4).map { .init(score: $0, label: "C\($0)") },
                              bands: [.init(key: "low", label: "Low", lower: 1, upper: 4, colour: "green", reviewEveryDays: 365),
                                      .init(key: "high", label: "High", lower: 5, upper: 16, colour: "red", reviewEveryDays: 30)])
        XCTAssertNoThrow(try four.validate())
        XCTAssertEqual(four.highestScore, 16)
        four.bands[1].lower = 7
        XCTAssertThrowsError(try four.validate()) { error in
            let messages = (error as? RuleViolations<RuleError>)?.problems.map(\.message) ?? []
            XCTAssertTrue(messages.contains { $0.contains("No band grades the score 6") }, "\(messages)")
        }
        four.bands[1].lower = 3
        XCTAssertThrowsError(try four.validate()) { error in
            XCTAssertTrue((error as? RuleViolations<RuleError>)?.problems.contains { $0.message.contains("overlap") } ?? false)
        }
        four.bands[1].lower = 5
        four.likelihood[2].score = 7
        four.table = [[1]]
        XCTAssertThrowsError(try four.validate()) { error in
            let fields = Set((error as? RuleViolations<RuleError>)?.problems.map(\.field) ?? [])
            XCTAssertEqual(fields, ["likelihood", "table"])
        }
    }
}

final class RiskDraftTests: XCTestCase {
    let today = CalendarDay("2026-11-22")!

    func input(_ change: (inout RiskDraft.Input) -> Void = { _ in }) -> RiskDraft.Input {
        var input = RiskDraft.Input()
        input.title = "Unsupported Windows on imaging modalities"
        input.cause = "CT and MRI consoles run Windows 7, which gets no security updates"
        input.event = "Ransomware reaches the modality network"
        input.effect = "Imaging unavailable; delayed diagnosis"
        input.category = "cyber-security"
        input.owner = "CIO@Kingsmere.example"
        input.opened = "2026-03-01"
        input.initial_likelihood = "4"; input.initial_consequence = "Major"
        input.current_likelihood = "Possible"; input.current_consequence = "4"
        input.target_likelihood = "1"; input.target_consequence = "4"
        change(&input)
        return input
    }

    func testAGoodRiskParsesWithLabelsOrScores() throws {
        let draft = try RiskDraft.parse(input(), matrix: .nhs5x5, today: today).get()
        XCTAssertEqual(draft.owner.value, "cio@kingsmere.example")
        XCTAssertEqual(draft.initial, RiskRating(likelihood: 4, consequence: 4))
        XCTAssertEqual(draft.current, RiskRating(likelihood: 3, consequence: 4))
        XCTAssertEqual(draft.status, .open)
    }

    func testEveryBadFieldIsNamed() {
        let result = RiskDraft.parse(input {
            $0.title = ""; $0.category = "weather"; $0.owner = "nobody"; $0.opened = "2026-02-30"
            $0.current_likelihood = "6"; $0.target_consequence = "Apocalyptic"; $0.status = "forgotten"
        }, matrix: .nhs5x5, today: today)
        guard case .failure(let violations) = result else { return XCTFail("accepted") }
        XCTAssertEqual(Set(violations.problems.map(\.field)),
                       ["title", "category", "owner", "opened", "current_likelihood", "target_consequence", "status"])
    }

    func testTargetAboveInitialAndFutureOpeningAreRefused() {
        guard case .failure(let violations) = RiskDraft.parse(input { $0.target_likelihood = "5"; $0.target_consequence = "5"; $0.opened = "2027-01-01" },
                                                               matrix: .nhs5x5, today: today) else { return XCTFail("accepted") }
        XCTAssertEqual(Set(violations.problems.map(\.field)), ["target_likelihood", "opened"])
    }

    func testAppetiteEscalationReviewAndReferences() throws {
        let settings = RiskSettings.standard
        XCTAssertTrue(settings.isAboveAppetite(score: 12, category: .cyberSecurity))
        XCTAssertFalse(settings.isAboveAppetite(score: 12, category: .financial))
        XCTAssertTrue(settings.isEscalated(score: 16))
        XCTAssertNoThrow(try settings.validate(against: .nhs5x5))
        var bad = settings
        bad.appetite[.supplier] = 30
        XCTAssertThrowsError(try bad.validate(against: .nhs5x5))
        let opened = CalendarDay("2026-01-01")!.date
        XCTAssertEqual(CalendarDay(RiskReview.nextDue(lastReviewed: opened, score: 20, matrix: .nhs5x5)), CalendarDay("2026-01-31"))
        XCTAssertEqual(RiskReference.format(42), "R-0042")
        XCTAssertEqual(RiskReference.parse("r-0042"), 42)
        XCTAssertNil(RiskReference.parse("R-x"))
        XCTAssertEqual(RiskMovement.between(previous: 12, current: 16), .up)
        XCTAssertNil(CalendarDay("2026-13-01"))
        XCTAssertEqual(CalendarDay("2024-02-29")?.description, "2024-02-29")
    }

    func testCalendarDaysAgreeWithTheGregorianCalendar() {
        // Month lengths are worked out without Foundation's Calendar (for speed); check every
        // month end from 1900 to 2999 against it.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for year in 1900...2999 {
            for month in 1...12 {
                for day in 28...31 {
                    let text = String(format: "%04d-%02d-%02d", year, month, day)
                    let date = calendar.date(from: DateComponents(year: year, month: month, day: day))
                    let real = date.map { calendar.component(.day, from: $0) == day } ?? false
                    XCTAssertEqual(CalendarDay(text) != nil, real, text)
                }
            }
        }
        XCTAssertNil(CalendarDay("2100-02-29"))
        XCTAssertNotNil(CalendarDay("2000-02-29"))
        XCTAssertEqual(CalendarDay(" 2026-11-22 ")?.description, "2026-11-22")
    }

    /// "Today" is the day it is in England: in British Summer Time it starts an hour before the
    /// UTC day; in winter they agree.
    func testTodayIsTheDayInEngland() throws {
        let iso = ISO8601DateFormatter()
        let summerNight = try XCTUnwrap(iso.date(from: "2026-06-30T23:30:00Z"))
        XCTAssertEqual(CalendarDay.inEngland(summerNight).description, "2026-07-01", "00:30 BST on 1 July")
        XCTAssertEqual(CalendarDay(summerNight).description, "2026-06-30", "the UTC day")
        let winterNight = try XCTUnwrap(iso.date(from: "2026-12-31T23:30:00Z"))
        XCTAssertEqual(CalendarDay.inEngland(winterNight).description, "2026-12-31", "23:30 GMT on 31 December")
        let clocksGoForward = try XCTUnwrap(iso.date(from: "2026-03-29T00:30:00Z"))
        XCTAssertEqual(CalendarDay.inEngland(clocksGoForward).description, "2026-03-29")
    }
}

final class BoardAssuranceTests: XCTestCase {
    func testSuggestedAssuranceFollowsTheEvidence() {
        XCTAssertEqual(AssuranceLevel.suggested(controls: [.effective], sources: []), .none)
        XCTAssertEqual(AssuranceLevel.suggested(controls: [.effective], sources: [(.third, .negative), (.first, .positive)]), .limited)
        XCTAssertEqual(AssuranceLevel.suggested(controls: [.ineffective], sources: [(.third, .positive)]), .limited)
        XCTAssertEqual(AssuranceLevel.suggested(controls: [.effective, .effective], sources: [(.first, .positive), (.third, .positive)]), .substantial)
        XCTAssertEqual(AssuranceLevel.suggested(controls: [.effective, .partiallyEffective], sources: [(.third, .positive)]), .reasonable)
        XCTAssertEqual(AssuranceLevel.suggested(controls: [.effective], sources: [(.second, .negative), (.third, .positive)]), .reasonable)
    }
}

final class AssessmentRulesTests: XCTestCase {
    func testDSPTRollUpAndGapsToTarget() {
        XCTAssertEqual(DSPTStatus.rollUp([(true, true), (false, true)]), .met)
        XCTAssertEqual(DSPTStatus.rollUp([(true, true), (false, false)]), .approaching)
        XCTAssertEqual(DSPTStatus.rollUp([(true, false), (false, true)]), .notMet)
        let catalogue = FrameworkCatalogue(id: "c", version: "1", title: "C", publisher: "P", licence: "L", attribution: "", published: "", unverified: false,
                                           levels: [.init(id: "na", label: "Not achieved"), .init(id: "pa", label: "Partially achieved"), .init(id: "a", label: "Achieved")],
                                           groups: [.init(id: "G", title: "G", items: [.init(id: "X", title: "X", levels: ["na", "a"])])], profiles: [])
        XCTAssertTrue(catalogue.isBelow("pa", target: "a"))
        XCTAssertFalse(catalogue.isBelow("a", target: "pa"))
        XCTAssertTrue(catalogue.isBelow(nil, target: "na"))
        XCTAssertEqual(catalogue.check(level: "pa", item: "X")?.field, "level", "X has no partially achieved")
        XCTAssertNil(catalogue.check(level: "a", item: "X"))
        XCTAssertEqual(catalogue.check(level: "a", item: "Y")?.field, "item")
    }

    /// What the register, dashboards, KPIs and board pack count as live risks and open actions.
    func testLiveRisksAndOpenActions() {
        XCTAssertEqual(RiskStatus.live, [.open, .tolerated], "closed and transferred risks are no longer reviewed here")
        XCTAssertEqual(RiskActionStatus.open, [.notStarted, .inProgress])
    }
}
