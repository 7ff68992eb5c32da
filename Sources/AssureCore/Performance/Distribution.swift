/// How one indicator is spread across a population of organisations (an ICB's trusts and
/// practices, a region, the country): quartiles for the league table's summary, Tukey's fences
/// for outliers, and where one organisation stands among its peers.
public struct Distribution: Equatable, Sendable {
    public let count: Int
    public let minimum: Double
    public let lowerQuartile: Double
    public let median: Double
    public let upperQuartile: Double
    public let maximum: Double

    /// Nil for an empty population. Quartiles interpolate between ranks (as spreadsheets'
    /// QUARTILE.INC does), so a board paper's figures match what an analyst's spreadsheet gives.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        lowerQuartile = Self.quantile(sorted, 0.25)
        median = Self.quantile(sorted, 0.5)
        upperQuartile = Self.quantile(sorted, 0.75)
    }

    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = Int(position.rounded(.up))
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }

    public var interquartileRange: Double { upperQuartile - lowerQuartile }

    /// Outside Tukey's fences (1.5 interquartile ranges beyond the quartiles), on the worse side:
    /// the organisations an oversight team would call first. A population with no spread has none.
    public func isOutlier(_ value: Double, higherIsBetter: Bool) -> Bool {
        guard interquartileRange > 0 else { return false }
        let fence = 1.5 * interquartileRange
        return higherIsBetter ? value < lowerQuartile - fence : value > upperQuartile + fence
    }

    /// Where a value stands among peers, 0 to 100, higher always better: the share of peers it
    /// does better than, counting ties as half (so a value equal to everyone's is the 50th).
    public static func percentile(of value: Double, among peers: [Double], higherIsBetter: Bool) -> Int? {
        guard !peers.isEmpty else { return nil }
        var better = 0.0
        for peer in peers {
            if peer == value { better += 0.5 } else if (peer < value) == higherIsBetter { better += 1 }
        }
        return Int((100 * better / Double(peers.count)).rounded())
    }
}

/// Peers' figures sorted once, so each organisation's percentile is two binary searches rather
/// than a pass over every peer (6,300 practices ranked on 11 indicators for a CSV export).
/// Gives the same answer as `Distribution.percentile`.
public struct PeerGroup: Sendable {
    private let sorted: [Double]

    public init(_ values: [Double]) { sorted = values.sorted() }

    public var count: Int { sorted.count }

    public func percentile(of value: Double, higherIsBetter: Bool) -> Int? {
        guard !sorted.isEmpty else { return nil }
        let lower = firstIndex { $0 >= value }, upper = firstIndex { $0 > value }
        let worse = higherIsBetter ? lower : sorted.count - upper
        let better = Double(worse) + 0.5 * Double(upper - lower)
        return Int((100 * better / Double(sorted.count)).rounded())
    }

    private func firstIndex(where predicate: (Double) -> Bool) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(sorted[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
