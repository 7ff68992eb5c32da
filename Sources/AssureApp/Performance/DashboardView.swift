import AssureCore
import Plot

/// The sections of an organisation's dashboard. Every figure links to the page that explains it,
/// and every colour comes with its word (red, amber, green), never colour alone.
enum DashboardView {
    static func ragTag<C: HTML.BodyContext>(_ rating: RAGRating) -> Node<C> {
        .span(.class("tag tag--\(rating == .notMeasured ? "grey" : rating.rawValue)"), .text(rating.label))
    }

    /// Every section of the dashboard, in the order the page shows them.
    static func sections(_ dashboard: OrganisationDashboard, matrix: RiskMatrix, code: String) -> Node<HTML.BodyContext> {
        .group(indicators(dashboard, code: code), risks(dashboard, matrix: matrix, code: code), compliance(dashboard, code: code),
               estate(dashboard, code: code), due(dashboard))
    }

    static func indicators(_ dashboard: OrganisationDashboard, code: String) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text("Key indicators")),
            .p(.class("hint"), .text("Measured now from the live records, against the standard targets. Each line runs through the daily snapshots of the last \(OrganisationDashboard.trendDays) days to today.")),
            .ul(.class("card-grid kpi-grid"), .forEach(KeyIndicator.allCases) { indicator in
                tile(indicator, dashboard, code: code)
            })
        )
    }

    private static func tile(_ indicator: KeyIndicator, _ dashboard: OrganisationDashboard, code: String) -> Node<HTML.ListContext> {
        let value = dashboard.indicators[indicator], rating = indicator.rating(value)
        let history = dashboard.trend.filter { $0.day < dashboard.today.description }.map { $0.values[indicator] } + [value]
        let url = dashboard.link(indicator, code: code).with(query: OrganisationDashboard.linkQuery(indicator))
        return .li(
            .class("card kpi kpi--\(rating.rawValue)"),
            .h3(.class("card__title"), .a(.href(url), .text(indicator.title))),
            .p(.class("card__figure"), .text(indicator.format(value))),
            .p(ragTag(rating), .text(" "), .span(.class("kpi__target"), .text(indicator.targetDescription))),
            value == nil
                ? .p(.class("hint"), .text(indicator.notMeasuredReason))
                : history.compactMap({ $0 }).count > 1
                    ? Components.sparkline(history, label: "\(indicator.title) over the last \(history.count) days: "
                                           + history.map { indicator.format($0) }.joined(separator: ", "),
                                           top: indicator.unit == .percent ? 100 : nil, width: 200, height: 40, modifier: "sparkline--small")
                    : .p(.class("hint"), .text("The trend line starts after tomorrow's snapshot."))
        )
    }

    static func risks(_ dashboard: OrganisationDashboard, matrix: RiskMatrix, code: String) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text("Top risks")),
            dashboard.topRisks.isEmpty
                ? .p(.text("No live risks. "), .a(.href(SiteURL.risks(code).path), .text("Open the risk register")))
                : .group(
                    Components.scrollableTable(label: "Top risks", .table(
                        .class("table"),
                        .caption(.text("The \(dashboard.topRisks.count) highest-scoring of \(dashboard.riskTotal) live risks")),
                        .thead(.tr(.th(.text("Risk")), .th(.text("Current score")), .th(.text("Target")), .th(.text("Next review")))),
                        .tbody(.forEach(dashboard.topRisks) { risk in
                            .tr(.td(.a(.href(SiteURL.risk(code, risk.reference).path), .text("\(risk.reference) \(risk.title)"))),
                                .td(Components.riskScore(risk.current_score, matrix)),
                                .td(Components.riskScore(risk.target_score, matrix)),
                                .td(.class("nowrap"), .text(CalendarDay.nhsStyle(risk.next_review))))
                        })
                    )),
                    .p(.a(.href(SiteURL.risks(code).path), .text("All \(dashboard.riskTotal) live risks")), .text(" · "),
                       .a(.href(SiteURL.heatMap(code).path), .text("Heat map with a table of the same counts")))
                ),
            .if(dashboard.heatMap.total > 0, .group(
                .h2(.text("Heat map")),
                .raw(HeatMapPage.svg(dashboard.heatMap, code: code))
            ))
        )
    }

    static func compliance(_ dashboard: OrganisationDashboard, code: String) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text("Compliance gaps")),
            dashboard.gaps.isEmpty
                ? .p(.text("No DSPT or CAF assessment has been started. "), .a(.href(SiteURL.assessments(code).path), .text("Start an assessment")))
                : .div(.class("score-panel"), .forEach(dashboard.gaps) { gaps in
                    let reference = gaps.assessment.reference
                    let shown = (gaps.mandatoryNotMet + gaps.belowTarget.filter { !$0.mandatory }).prefix(5)
                    return .section(
                        .class("score-block"),
                        .h3(.class("score-block__title"), .a(.href(SiteURL.assessment(code, reference).path),
                                                            .text("\(gaps.catalogue.title) \(gaps.assessment.period) (\(reference))"))),
                        .p(.text("\(gaps.belowTarget.count) of \(gaps.catalogue.items.count) items below target")),
                        .if(gaps.catalogue.items.contains(where: \.mandatory),
                            .p(.text("\(Words.count(gaps.mandatoryNotMet.count, "mandatory item")) not met"))),
                        .p(.text("Final submission due \(CalendarDay.nhsStyle(gaps.assessment.finalDue))")),
                        .if(!shown.isEmpty, .ul(.class("list"), .forEach(Array(shown)) { item in
                            .li(.a(.href(SiteURL.assessmentItem(code, reference, item.id).path), .text("\(item.id) \(item.title)")),
                                .if(item.mandatory, .group(.text(" "), .span(.class("tag tag--red"), .text("Mandatory")))))
                        }))
                    )
                })
        )
    }

    static func estate(_ dashboard: OrganisationDashboard, code: String) -> Node<HTML.BodyContext> {
        guard let (day, figures) = dashboard.estate, figures.devices > 0 else {
            return .group(.h2(.text("Estate exposure")),
                          .p(.text("No device inventory has been analysed. "), .a(.href(SiteURL.estateImport(code).path), .text("Import an inventory"))))
        }
        func link(_ exposure: EstateQueries.Exposure, _ count: Int) -> Node<HTML.BodyContext> {
            .a(.href(SiteURL.estateDevices(code).with(query: [("exposure", exposure.rawValue)])), .text("\(count) of \(figures.devices)"))
        }
        return .group(
            .h2(.text("Estate exposure")),
            Components.summaryList([
                ("Devices", .a(.href(SiteURL.estate(code).path), .text("\(Words.number(figures.devices)), analysed \(CalendarDay.nhsStyle(day))"))),
                ("Patch compliant", .text("\(figures.patchCompliancePercent)%")),
                ("Known-exploited vulnerabilities", link(.kev, figures.knownExploited)),
                ("Unsupported operating system", link(.unsupportedOS, figures.unsupportedOS)),
                ("Critical or high severity", link(.critical, figures.criticalOrHigh)),
            ])
        )
    }

    static func due(_ dashboard: OrganisationDashboard) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text("Due in the next \(OrganisationDashboard.lookAheadDays) days")),
            dashboard.due.isEmpty
                ? .p(.text("Nothing falls due in the next \(OrganisationDashboard.lookAheadDays) days: no risk reviews, actions, evidence reviews or submissions."))
                : Components.scrollableTable(label: "Due in the next \(OrganisationDashboard.lookAheadDays) days", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Due")), .th(.text("What")), .th(.text("Record")))),
                    .tbody(.forEach(dashboard.due) { item in
                        .tr(.td(.class("nowrap"), .text(CalendarDay.nhsStyle(item.day))), .td(.text(item.kind)), .td(.a(.href(item.url.path), .text(item.title))))
                    })
                ))
        )
    }
}
