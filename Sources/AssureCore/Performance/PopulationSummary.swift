/// One indicator across a population of organisations on one day: how many were measured, the
/// quartiles, how many sit in each RAG band and how many are outliers on the worse side. Stored
/// per ICB, region and the nation at each daily snapshot, so a population's trend is read from a
/// few rows instead of every organisation's history.
public struct PopulationSummary: Equatable, Sendable, Codable {
    public var measured: Int
    public var median: Double?
    public var lowerQuartile: Double?
    public var upperQuartile: Double?
    public var red: Int
    public var amber: Int
    public var green: Int
    public var outliers: Int

    public init(_ indicator: KeyIndicator, values: [Double]) {
        let distribution = Distribution(values)
        measured = values.count
        median = distribution?.median
        lowerQuartile = distribution?.lowerQuartile
        upperQuartile = distribution?.upperQuartile
        var counts: [RAGRating: Int] = [:]
        for value in values { counts[indicator.rating(value), default: 0] += 1 }
        red = counts[.red] ?? 0
        amber = counts[.amber] ?? 0
        green = counts[.green] ?? 0
        outliers = distribution.map { spread in values.filter { spread.isOutlier($0, higherIsBetter: indicator.higherIsBetter) }.count } ?? 0
    }
}

/// Every indicator's summary for one population, keyed by the indicator's stable name in JSON.
public struct PopulationFigures: Equatable, Sendable, Codable {
    public var organisations: Int
    public var indicators: [KeyIndicator: PopulationSummary]

    /// Summarises the organisations' figures; an organisation counts towards an indicator only
    /// where it has a figure for it.
    public init(_ members: [IndicatorValues]) {
        organisations = members.count
        var indicators: [KeyIndicator: PopulationSummary] = [:]
        for indicator in KeyIndicator.allCases {
            indicators[indicator] = PopulationSummary(indicator, values: members.compactMap { $0[indicator] })
        }
        self.indicators = indicators
    }

    enum CodingKeys: String, CodingKey { case organisations, indicators }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        organisations = try container.decode(Int.self, forKey: .organisations)
        let raw = try container.decode([String: PopulationSummary].self, forKey: .indicators)
        indicators = Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in KeyIndicator(rawValue: key).map { ($0, value) } })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(organisations, forKey: .organisations)
        try container.encode(Dictionary(uniqueKeysWithValues: indicators.map { ($0.key.rawValue, $0.value) }), forKey: .indicators)
    }
}
