import AssureCore
import Foundation
import Plot
import SQLKit
import Vapor

/// `/organisations/{code}/oversight` (an ICB or region) and `/oversight` (the country): every
/// organisation below, side by side on every key indicator. The population's spread, outliers and
/// trend; a league table ranked worst first; each organisation's percentile among its own type;
/// drill-down to each organisation's dashboard (read-only for oversight teams); CSV export.
enum OversightPages {
    static func register(_ routes: any RoutesBuilder) {
        routes.get(SiteURL.oversight(SiteURL.code).pathComponents, use: scoped)
        routes.get(SiteURL.oversightCSV(SiteURL.code).pathComponents, use: scopedCSV)
        routes.get(SiteURL.nationalOversight.pathComponents, use: national)
        routes.get(SiteURL.nationalOversightCSV.pathComponents, use: nationalCSV)
    }

    static func scoped(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.readRollUp)
        let organisation = context.organisation, ancestry = context.chain
        let filter = try OversightFilter.read(from: req)
        let oversight = try await Oversight.load(below: organisation, on: try req.sql)
        let shell = PageShell(title: "Oversight: \(organisation.name)",
                              breadcrumbs: [.init(title: "Organisations", url: .organisations)] + ancestry.map { .init(title: $0.name, url: .organisation($0.odsCode)) },
                              organisation: (organisation.odsCode, organisation.name), section: .overview, ancestors: ancestry.dropLast().map(\.odsCode))
        return Layout.response(shell, view(oversight, filter, base: .oversight(organisation.odsCode), csv: .oversightCSV(organisation.odsCode)))
    }

    static func national(req: Request) async throws -> Response {
        _ = try await req.authoriseNationalOversight()
        let filter = try OversightFilter.read(from: req)
        let oversight = try await Oversight.load(below: nil, on: try req.sql)
        let shell = PageShell(title: "National oversight", breadcrumbs: [.init(title: "Organisations", url: .organisations)])
        return Layout.response(shell, view(oversight, filter, base: .nationalOversight, csv: .nationalOversightCSV))
    }

    static func scopedCSV(req: Request) async throws -> Response {
        let organisation = try await req.organisationContext(.readRollUp).organisation
        return try csv(try await Oversight.load(below: organisation, on: try req.sql), name: "oversight-\(organisation.odsCode)")
    }

    static func nationalCSV(req: Request) async throws -> Response {
        _ = try await req.authoriseNationalOversight()
        return try csv(try await Oversight.load(below: nil, on: try req.sql), name: "oversight-national")
    }

    /// One row per organisation: every indicator's figure, rating and peer percentile.
    static func csv(_ oversight: Oversight, name: String) throws -> Response {
        let header = ["ods_code", "name", "type", "parent_ods_code", "snapshot_day"]
            + KeyIndicator.allCases.flatMap { [$0.rawValue, "\($0.rawValue)_rating", "\($0.rawValue)_peer_percentile"] }
        let rows = oversight.table().map { member, indicators in
            [member.odsCode, member.name, member.type.rawValue, member.parentCode ?? "", member.day ?? ""]
                + indicators.flatMap { indicator, ranked in
                    [member.values[indicator].map { indicator.format($0).replacingOccurrences(of: "%", with: "") } ?? "",
                     ranked.rating.rawValue, ranked.peerPercentile.map(String.init) ?? ""]
                }
        }
        return AssessmentReports.download(try SpreadsheetCSV.write(header: header, rows: rows), type: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]),
                                          name: "\(name)\(oversight.latestDay.map { "-\($0)" } ?? "").csv")
    }

    static func view(_ oversight: Oversight, _ filter: OversightFilter, base: SiteURL, csv: SiteURL) -> Node<HTML.BodyContext> {
        let measured = oversight.members.filter { $0.day != nil }.count
        return .group(
            .span(.class("caption"), .text("Oversight")),
            .h1(.text(oversight.scopeCode == nil ? "National oversight" : "Organisations under \(oversight.scopeName)")),
            .p(.class("lede"), .text(oversight.members.isEmpty
                ? "No organisations sit under \(oversight.scopeName)."
                : "\(oversight.members.count) organisations; \(measured) with a key indicator snapshot\(oversight.latestDay.map { ", the latest taken \($0)" } ?? ""). Read-only: select an organisation to open its dashboard.")),
            .p(.class("button-group"), .a(.class("button button--secondary"), .href(csv.path), .text("Download CSV (every organisation and indicator)"))),
            .h2(.text("Population")),
            summaryTable(oversight, base: base),
            .h2(.id("league"), .text("League table: \(filter.indicator.title)")),
            filterForm(filter, base: base),
            league(oversight, filter, base: base)
        )
    }

    private static func summaryTable(_ oversight: Oversight, base: SiteURL) -> Node<HTML.BodyContext> {
        Components.scrollableTable(label: "Population summary", .table(
            .class("table"),
            .caption(.text("Each indicator across the population: spread, RAG and outliers (worse than 1.5 interquartile ranges beyond the quartile)")),
            .thead(.tr(.th(.text("Indicator")), .th(.text("Measured")), .th(.text("Median")), .th(.text("Quartiles")),
                       .th(.text("Red")), .th(.text("Amber")), .th(.text("Green")), .th(.text("Outliers")), .th(.text("Median over time")))),
            .tbody(.forEach(KeyIndicator.allCases) { indicator in
                let summary = oversight.population.indicators[indicator]
                let spread = oversight.distributions[indicator]
                let medians = oversight.trend.map { $0.figures.indicators[indicator]?.median }
                return .tr(
                    .th(.attribute(named: "scope", value: "row"),
                        .a(.href(base.with(query: [("indicator", indicator.rawValue)]) + "#league"), .text(indicator.title))),
                    .td(.text("\(summary?.measured ?? 0) of \(oversight.members.count)")),
                    .td(.text(indicator.format(spread?.median))),
                    .td(.class("nowrap"), .text(spread.map { "\(indicator.format($0.lowerQuartile)) – \(indicator.format($0.upperQuartile))" } ?? "—")),
                    .td(.text(String(summary?.red ?? 0))), .td(.text(String(summary?.amber ?? 0))), .td(.text(String(summary?.green ?? 0))),
                    .td(summary.map { $0.outliers > 0 ? .a(.href(base.with(query: [("indicator", indicator.rawValue)]) + "#league"), .text(String($0.outliers))) : .text("0") } ?? .text("0")),
                    .td(medians.compactMap { $0 }.count > 1
                        ? Components.sparkline(medians, label: "Median \(indicator.title.lowercased()) over \(medians.count) days: " + medians.map { indicator.format($0) }.joined(separator: ", "),
                                               top: indicator.unit == .percent ? 100 : nil, width: 120, height: 30, modifier: "sparkline--small")
                        : .text(medians.isEmpty ? "No daily summary yet" : "One day so far"))
                )
            })
        ))
    }

    private static func filterForm(_ filter: OversightFilter, base: SiteURL) -> Node<HTML.BodyContext> {
        .form(
            .class("inline-form no-print"), .method(.get), .action(base.path),
            Components.selectField(Components.Field(id: "indicator", label: "Rank by", value: filter.indicator.rawValue, width: "field--medium"),
                                   options: KeyIndicator.allCases.map { ($0.rawValue, $0.title) }),
            Components.selectField(Components.Field(id: "type", label: "Type", value: filter.type?.rawValue ?? "all", width: "field--medium"),
                                   options: [("all", "All types")] + OrganisationType.allCases.map { ($0.rawValue, $0.pluralName) }),
            Components.selectField(Components.Field(id: "rating", label: "Rating", value: filter.rating?.rawValue ?? "all", width: "field--medium"),
                                   options: [("all", "Any rating")] + RAGRating.allCases.map { ($0.rawValue, $0.label) }),
            .button(.type(.submit), .class("button button--secondary"), .text("Show"))
        )
    }

    private static func league(_ oversight: Oversight, _ filter: OversightFilter, base: SiteURL) -> Node<HTML.BodyContext> {
        let all = oversight.ranked(filter)
        let pages = max(1, (all.count + OversightFilter.pageSize - 1) / OversightFilter.pageSize)
        let start = min((filter.page - 1) * OversightFilter.pageSize, all.count)
        let shown = all[start..<min(start + OversightFilter.pageSize, all.count)]
        guard !shown.isEmpty else {
            return .p(.text(all.isEmpty ? "No organisations match. Choose another type or rating." : "There is no page \(filter.page); there \(pages == 1 ? "is 1 page" : "are \(pages) pages")."))
        }
        let peers = oversight.peers, indicator = filter.indicator
        let others = KeyIndicator.allCases.filter { $0 != indicator }
        return .group(
            Components.scrollableTable(label: "League table", .table(
                .class("table table--compact"),
                .caption(.text("\(start + 1)–\(start + shown.count) of \(all.count), worst first on \(indicator.title)")),
                .thead(.tr(.th(.text("Rank")), .th(.class("league__organisation"), .text("Organisation")), .th(.text(indicator.title)),
                           .th(.text("Percentile among its type")),
                           .forEach(others) { .th(.attribute(named: "scope", value: "col"), .abbr(.title($0.title), .text($0.shortTitle))) })),
                .tbody(.forEach(Array(shown.enumerated())) { offset, member in
                    let ranked = oversight.rank(member, indicator, peers: peers)
                    return .tr(
                        .td(.text(String(start + offset + 1))),
                        .td(.a(.href(SiteURL.organisation(member.odsCode).path), .text(member.name)), .span(.class("org-tree__code"), .text(member.odsCode)),
                            .span(.class("league__type"), .text(member.type.displayName.capitalisedFirst))),
                        .td(.class("nowrap"), .text(indicator.format(member.values[indicator]) + " "), DashboardView.ragTag(ranked.rating),
                            .if(ranked.outlier, .group(.text(" "), .span(.class("tag tag--red"), .text("Outlier"))))),
                        .td(.text(ranked.peerPercentile.map { "\($0)th" } ?? "—")),
                        .forEach(others) { other in cell(other, member.values[other]) }
                    )
                })
            )),
            .if(pages > 1, .nav(
                .class("pager"), .ariaLabel("Pages"),
                .if(filter.page > 1, .a(.href(base.with(query: filter.queryItems + [("page", String(filter.page - 1))]) + "#league"), .text("Previous page"))),
                .span(.text("Page \(filter.page) of \(pages)")),
                .if(filter.page < pages, .a(.href(base.with(query: filter.queryItems + [("page", String(filter.page + 1))]) + "#league"), .text("Next page")))
            ))
        )
    }

    /// A figure with its RAG as a letter as well as a colour.
    private static func cell(_ indicator: KeyIndicator, _ value: Double?) -> Node<HTML.TableRowContext> {
        let rating = indicator.rating(value)
        guard value != nil else { return .td(.class("rag-cell"), .text("—")) }
        return .td(.class("rag-cell rag-cell--\(rating.rawValue)"),
                   .abbr(.title(rating.label), .text(String(rating.label.prefix(1)))), .text(" " + indicator.format(value)))
    }
}
