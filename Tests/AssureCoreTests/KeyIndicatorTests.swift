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
}
