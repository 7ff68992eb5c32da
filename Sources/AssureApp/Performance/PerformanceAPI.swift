import AssureCore
import Foundation
import SQLKit
import Vapor

/// The performance pages and their JSON: an organisation's key indicators, oversight roll-ups
/// and the board pack.
struct PerformanceRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        OversightPages.register(routes)
        routes.get(SiteURL.boardPack(SiteURL.code).pathComponents, use: BoardPackPage.show)
        routes.api(.GET, .api(.indicators(SiteURL.code)), .keyIndicators, use: PerformanceAPI.indicators)
        routes.api(.GET, .api(.oversight(SiteURL.code)), .oversight, use: PerformanceAPI.scopedOversight)
        routes.api(.GET, .api(.nationalOversight), .nationalOversight, use: PerformanceAPI.nationalOversight)
    }
}

enum PerformanceAPI {
    struct Figure: Content {
        var indicator: String
        var title: String
        var unit: String
        var value: Double?
        var rating: String
        var target: Double
        var higher_is_better: Bool
    }

    struct Day: Content { var day: String; var values: [String: Double] }

    struct Indicators: Content {
        var organisation: String
        var measured_at: Date
        var indicators: [Figure]
        var trend: [Day]
    }

    static func figures(_ values: IndicatorValues) -> [Figure] {
        KeyIndicator.allCases.map { indicator in
            Figure(indicator: indicator.rawValue, title: indicator.title, unit: indicator.unit.rawValue, value: values[indicator],
                   rating: indicator.rating(values[indicator]).rawValue, target: indicator.standardTarget.target, higher_is_better: indicator.higherIsBetter)
        }
    }

    static func plain(_ values: IndicatorValues) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: values.values.map { ($0.key.rawValue, $0.value) })
    }

    /// Live figures now, and the stored daily snapshots (`days`, 1–366, default 90).
    static func indicators(req: Request) async throws -> Indicators {
        let organisation = try await req.organisationContext(.read).organisation
        let days = try dayCount(req)
        let now = req.application.clock.now()
        let values = try await KPISnapshotter(database: req.db, frameworks: req.frameworks, today: CalendarDay.inEngland(now), now: now).measure([organisation.id])[organisation.id]
        return Indicators(organisation: organisation.odsCode, measured_at: now, indicators: figures(values ?? IndicatorValues()),
                          trend: try await KPIHistory.trend(of: organisation.id, days: days, on: try req.sql).map { Day(day: $0.day, values: plain($0.values)) })
    }

    static func dayCount(_ req: Request) throws -> Int {
        guard let raw = try? req.query.get(String.self, at: "days") else { return 90 }
        guard let days = Int(raw), (1...366).contains(days) else {
            throw AssureError.invalid([RuleError(field: "days", message: "days must be a whole number from 1 to 366")])
        }
        return days
    }

    struct Summary: Content {
        var indicator: String
        var measured: Int
        var median: Double?
        var lower_quartile: Double?
        var upper_quartile: Double?
        var red: Int, amber: Int, green: Int, outliers: Int
    }

    struct MemberFigure: Content { var value: Double?; var rating: String; var peer_percentile: Int?; var outlier: Bool }

    struct Member: Content {
        var ods_code: String
        var name: String
        var type: String
        var parent_ods_code: String?
        var snapshot_day: String?
        var indicators: [String: MemberFigure]
    }

    struct RollUp: Content {
        var scope: String
        var organisations: Int
        var latest_snapshot_day: String?
        var summary: [Summary]
        var ranked_by: String
        var total: Int
        var page: Int
        var members: [Member]
        var population_trend: [PopulationDay]
    }

    struct PopulationDay: Content { var day: String; var organisations: Int; var medians: [String: Double] }

    static func scopedOversight(req: Request) async throws -> RollUp {
        let organisation = try await req.organisationContext(.readRollUp).organisation
        let filter = try OversightFilter.read(from: req)
        return rollUp(try await Oversight.load(below: organisation, on: try req.sql), filter, scope: organisation.odsCode)
    }

    static func nationalOversight(req: Request) async throws -> RollUp {
        _ = try await req.authoriseNationalOversight()
        let filter = try OversightFilter.read(from: req)
        return rollUp(try await Oversight.load(below: nil, on: try req.sql), filter, scope: OversightQuery.national)
    }

    /// The population summary and one page (100) of the ranked organisations, each with every indicator.
    static func rollUp(_ oversight: Oversight, _ filter: OversightFilter, scope: String) -> RollUp {
        let ranked = oversight.ranked(filter), peers = oversight.peers
        let start = min((filter.page - 1) * OversightFilter.pageSize, ranked.count)
        let members = ranked[start..<min(start + OversightFilter.pageSize, ranked.count)].map { member in
            Member(ods_code: member.odsCode, name: member.name, type: member.type.rawValue, parent_ods_code: member.parentCode, snapshot_day: member.day,
                   indicators: Dictionary(uniqueKeysWithValues: KeyIndicator.allCases.map { indicator in
                       let rank = oversight.rank(member, indicator, peers: peers)
                       return (indicator.rawValue, MemberFigure(value: member.values[indicator], rating: rank.rating.rawValue,
                                                                peer_percentile: rank.peerPercentile, outlier: rank.outlier))
                   }))
        }
        return RollUp(
            scope: scope, organisations: oversight.members.count, latest_snapshot_day: oversight.latestDay,
            summary: KeyIndicator.allCases.map { indicator in
                let summary = oversight.population.indicators[indicator] ?? PopulationSummary(indicator, values: [])
                return Summary(indicator: indicator.rawValue, measured: summary.measured, median: summary.median, lower_quartile: summary.lowerQuartile,
                               upper_quartile: summary.upperQuartile, red: summary.red, amber: summary.amber, green: summary.green, outliers: summary.outliers)
            },
            ranked_by: filter.indicator.rawValue, total: ranked.count, page: filter.page, members: members,
            population_trend: oversight.trend.map { day in
                PopulationDay(day: day.day, organisations: day.figures.organisations,
                              medians: Dictionary(uniqueKeysWithValues: day.figures.indicators.compactMap { key, summary in summary.median.map { (key.rawValue, $0) } }))
            }
        )
    }
}
