import AssureCore
import Foundation
import XCTest

final class KeyIndicatorTests: XCTestCase {
    func testRatingsFollowEachIndicatorsDirection() {
        XCTAssertEqual(KeyIndicator.patchCompliance.rating(96), .green)
        XCTAssertEqual(KeyIndicator.patchCompliance.rating(95), .green, "at target is green")
        XCTAssertEqual(KeyIndicator.patchCompliance.rating(85), .amber)
        XCTAssertEqual(KeyIndicator.patchCompliance.rating(84.9), .red)
        XCTAssertEqual(KeyIndicator.risksAboveAppetite.rating(0), .green)
        XCTAssertEqual(KeyIndicator.risksAboveAppetite.rating(2), .amber)
        XCTAssertEqual(KeyIndicator.risksAboveAppetite.rating(3), .red)
        XCTAssertEqual(KeyIndicator.knownExploitedDevices.rating(1), .red, "no amber for known-exploited exposure")
        XCTAssertEqual(KeyIndicator.dsptPosition.rating(nil), .notMeasured)
        XCTAssertEqual(KeyIndicator.patchCompliance.format(93.4), "93%")
        XCTAssertEqual(KeyIndicator.overdueRiskReviews.format(nil), "—")
    }

    func testValuesKeepTheirNamesAndIgnoreIndicatorsThisVersionDoesNotKnow() throws {
        var values = IndicatorValues()
        values[.patchCompliance] = 93
        values[.risksAboveAppetite] = 4
        let json = String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
        XCTAssertTrue(json.contains("\"patch-compliance\":93"), json)
        let read = try JSONDecoder().decode(IndicatorValues.self, from: Data(#"{"patch-compliance":93,"risks-above-appetite":4,"retired-indicator":1}"#.utf8))
        XCTAssertEqual(read, values)
    }

    func testQuartilesMatchSpreadsheetsAndOutliersAreOnTheWorseSide() throws {
        let four = try XCTUnwrap(Distribution([4, 1, 3, 2]))
        XCTAssertEqual([four.minimum, four.lowerQuartile, four.median, four.upperQuartile, four.maximum], [1, 1.75, 2.5, 3.25, 4], "QUARTILE.INC")
        XCTAssertEqual(Distribution([7])?.median, 7)
        XCTAssertNil(Distribution([]))
        let compliance = try XCTUnwrap(Distribution([90, 92, 93, 94, 95, 96, 40]))
        XCTAssertTrue(compliance.isOutlier(40, higherIsBetter: true))
        XCTAssertFalse(compliance.isOutlier(99, higherIsBetter: true), "unusually good is not a worry")
        XCTAssertFalse(try XCTUnwrap(Distribution([3, 3, 3])).isOutlier(3, higherIsBetter: false), "no spread, no outliers")
        let overdue = try XCTUnwrap(Distribution([0, 0, 1, 1, 2, 30]))
        XCTAssertTrue(overdue.isOutlier(30, higherIsBetter: false))
    }

    func testPercentileAmongPeersIsAlwaysHigherForBetter() {
        XCTAssertEqual(Distribution.percentile(of: 95, among: [80, 90, 95, 99], higherIsBetter: true), 63, "better than two, tied with one: 2.5 of 4")
        XCTAssertEqual(Distribution.percentile(of: 0, among: [0, 2, 5, 9], higherIsBetter: false), 88)
        XCTAssertEqual(Distribution.percentile(of: 5, among: [5, 5], higherIsBetter: true), 50)
        XCTAssertNil(Distribution.percentile(of: 5, among: [], higherIsBetter: true))
        // Property: moving a value the better way never lowers its percentile.
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let peers = (0..<20).map { _ in Double(Int.random(in: 0...100, using: &generator)) }
            let value = Double(Int.random(in: 0...99, using: &generator))
            for higher in [true, false] {
                let now = Distribution.percentile(of: value, among: peers, higherIsBetter: higher)!
                let moved = Distribution.percentile(of: higher ? value + 1 : value - 1, among: peers, higherIsBetter: higher)!
                XCTAssertGreaterThanOrEqual(moved, now)
            }
        }
    }

    func testEachIndicatorHasItsOwnSlotInOrder() {
        XCTAssertEqual(KeyIndicator.allCases.map(\.slot), Array(0..<KeyIndicator.allCases.count))
        var values = IndicatorValues([.cafPosition: 50])
        values[.overdueCyberAlerts] = 2
        XCTAssertEqual(values.values, [.cafPosition: 50, .overdueCyberAlerts: 2])
    }

    func testPeerGroupGivesTheSamePercentileAsCountingEveryPeer() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<300 {
            let peers = (0..<Int.random(in: 1...40, using: &generator)).map { _ in Double(Int.random(in: 0...12, using: &generator)) }
            let group = PeerGroup(peers)
            let value = Double(Int.random(in: -1...13, using: &generator))
            for higher in [true, false] {
                XCTAssertEqual(group.percentile(of: value, higherIsBetter: higher), Distribution.percentile(of: value, among: peers, higherIsBetter: higher))
            }
        }
        XCTAssertNil(PeerGroup([]).percentile(of: 1, higherIsBetter: true))
    }

    func testPopulationSummaryCountsBandsAndOutliers() throws {
        let values = [IndicatorValues([.overdueRiskReviews: 0, .patchCompliance: 97]), IndicatorValues([.overdueRiskReviews: 2]),
                      IndicatorValues([.overdueRiskReviews: 0]), IndicatorValues([.overdueRiskReviews: 1]), IndicatorValues([.overdueRiskReviews: 40])]
        let figures = PopulationFigures(values)
        let reviews = try XCTUnwrap(figures.indicators[.overdueRiskReviews])
        XCTAssertEqual(figures.organisations, 5)
        XCTAssertEqual([reviews.measured, reviews.green, reviews.amber, reviews.red, reviews.outliers], [5, 2, 2, 1, 1])
        XCTAssertEqual(reviews.median, 1)
        XCTAssertEqual(figures.indicators[.patchCompliance]?.measured, 1, "only organisations with a figure count")
        XCTAssertEqual(figures.indicators[.dsptPosition]?.measured, 0)
        XCTAssertNil(figures.indicators[.dsptPosition]?.median)
        let decoded = try JSONDecoder().decode(PopulationFigures.self, from: JSONEncoder().encode(figures))
        XCTAssertEqual(decoded, figures)
    }

    func testReportingPeriodNamesWhatIsWrong() throws {
        let today = try XCTUnwrap(CalendarDay("2026-11-22"))
        let standard = ReportingPeriod.read(from: nil, to: nil, today: today)
        XCTAssertEqual(standard.period?.to, today)
        XCTAssertEqual(standard.period?.from.description, "2026-08-24", "a quarter by default")
        XCTAssertEqual(ReportingPeriod.read(from: "2026-04-01", to: "2026-06-30", today: today).period?.from.description, "2026-04-01")
        XCTAssertEqual(ReportingPeriod.read(from: "2026-10-01", to: "2026-09-30", today: today).problems.map(\.field), ["to"])
        XCTAssertEqual(ReportingPeriod.read(from: "1 April", to: nil, today: today).problems.map(\.field), ["from"])
        XCTAssertEqual(ReportingPeriod.read(from: nil, to: "2026-11-23", today: today).problems.map(\.field), ["to"])
        XCTAssertEqual(ReportingPeriod.read(from: "2020-01-01", to: nil, today: today).problems.map(\.field), ["from"])
        XCTAssertEqual(ReportingPeriod.read(from: "2026-11-22", to: "2026-11-22", today: today).problems, [], "one day is a period")
    }

    func testGapsAreItemsShortOfTargetAndMandatoryItemsNotAtTheTop() {
        let items: [FrameworkCatalogue.Item] = [.init(id: "1", title: "One", levels: ["no", "partly", "yes"], mandatory: true),
                                                .init(id: "2", title: "Two", levels: ["no", "partly", "yes"]),
                                                .init(id: "3", title: "Three", levels: ["no", "partly", "yes"])]
        let catalogue = FrameworkCatalogue(id: "t", version: "1", title: "Test", publisher: "Test", licence: "", attribution: "", published: "", unverified: false,
                                           levels: [.init(id: "no", label: "No"), .init(id: "partly", label: "Partly"), .init(id: "yes", label: "Yes")],
                                           groups: [.init(id: "G", title: "Group", items: items)], profiles: [])
        let gaps = catalogue.gaps(results: ["1": "partly", "2": "partly"], targets: ["1": "partly", "2": "partly"])
        XCTAssertEqual(gaps.belowTarget.map(\.id), ["3"], "no result is short of the top level")
        XCTAssertEqual(gaps.mandatoryNotMet.map(\.id), ["1"], "mandatory means the top level, whatever the target")
    }
}

final class SubmissionDeadlinesTests: XCTestCase {
    func testThePeriodRunsAprilToMarchAndDatesReadTheNHSWay() {
        XCTAssertEqual(SubmissionDeadlines.period(containing: CalendarDay("2026-03-31")!), "2025-26")
        XCTAssertEqual(SubmissionDeadlines.period(containing: CalendarDay("2026-04-01")!), "2026-27")
        XCTAssertEqual(SubmissionDeadlines.period(containing: CalendarDay("2099-12-07")!), "2099-00")
        XCTAssertEqual(CalendarDay("2026-11-22")!.nhsStyle, "22 November 2026")
        XCTAssertEqual(CalendarDay("2027-06-01")!.nhsStyle, "1 June 2027")
    }

    func testEveryDeadlineIsSourcedDatedAndInItsPeriod() {
        for deadline in SubmissionDeadlines.all {
            XCTAssertFalse(deadline.source.isEmpty, deadline.period)
            XCTAssertEqual(SubmissionDeadlines.period(containing: deadline.effective), deadline.period)
            XCTAssertGreaterThan(deadline.finalDue, deadline.effective)
            if let interim = deadline.interimDue { XCTAssertLessThan(interim, deadline.finalDue) }
        }
        XCTAssertEqual(SubmissionDeadlines.deadline(framework: "dspt-ndg", period: "2024-25")?.finalDue, CalendarDay("2025-06-30"))
        XCTAssertNil(SubmissionDeadlines.deadline(framework: "ncsc-caf", period: "2024-25"))
    }
}
