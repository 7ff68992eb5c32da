import AssureCore
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/board-pack?from=…&to=…`: the board's IT governance paper as one printable
/// document (cover, summary, BAF, heat map, risk movement, DSPT and CAF, cyber posture, exceptions,
/// appendix). The same document is what `assure report board` prints to PDF.
enum BoardPackPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let from = req.query[String.self, at: "from"], to = req.query[String.self, at: "to"]
        let (chosen, problems) = ReportingPeriod.read(from: from, to: to, today: context.today)
        guard let period = chosen else { return periodProblem(context, from: from, to: to, problems: problems) }
        let pack = try await BoardPack.load(context, period: period, frameworks: req.frameworks)
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: .ok, headers: headers, body: .init(string: BoardPackDocument.render(pack, stylesheet: .linked)))
    }

    /// A wrong period is shown on a page with the period form, each problem linked to its box.
    static func periodProblem(_ context: OrganisationContext, from: String?, to: String?, problems: [RuleError]) -> Response {
        let code = context.organisation.odsCode
        let messages = Dictionary(problems.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems.map { AssureError.FieldProblem(field: $0.field, message: $0.message) }, fieldIDs: ["from", "to"]),
            .h1(.text("Board pack")),
            .p(.class("lede"), .text("Choose the period the board pack for \(context.organisation.name) reports on: both days are included, and it ends no later than today.")),
            .form(
                .class("inline-form"), .method(.get), .action(SiteURL.boardPack(code).path),
                Components.dateField(Components.Field(id: "from", label: "From", value: from ?? "", error: messages["from"], width: "field--medium")),
                Components.dateField(Components.Field(id: "to", label: "To", value: to ?? "", error: messages["to"], width: "field--medium")),
                .button(.type(.submit), .class("button"), .text("Show the board pack"))
            )
        )
        let shell = context.shell("Board pack", problems: true, section: .overview)
        return Layout.response(shell, status: .unprocessableEntity, content)
    }
}

enum BoardPackDocument {
    /// Served, the page links the stylesheet (the CSP forbids inline styles); written to a file
    /// for PDF, the stylesheet goes inside so the file stands alone.
    enum Stylesheet { case linked, embedded }

    static func render(_ pack: BoardPack, stylesheet: Stylesheet) -> String {
        let organisation = pack.organisation
        let title = "Board pack: \(organisation.name), \(pack.period.from.nhsStyle) to \(pack.period.to.nhsStyle)"
        switch stylesheet {
        case .linked:
            // Served inside the application's frame; print CSS drops the frame from the paper.
            let shell = PageShell(title: title, breadcrumbs: [.init(title: "Organisations", url: .organisations),
                                                              .init(title: organisation.name, url: .organisation(organisation.odsCode))],
                                  organisation: (organisation.odsCode, organisation.name), section: .overview)
            return Layout.render(shell, .group(.div(.class("no-print board-pack__tools"), periodForm(pack)), document(pack)))
        case .embedded:
            return HTML(
                .lang(.english),
                .head(.meta(.charset(.utf8)), .meta(.name("viewport"), .content("width=device-width, initial-scale=1")), .title(title),
                      .raw("<style>\(String(decoding: AssureStylesheet.bytes, as: UTF8.self))</style>")),
                .body(.class("board-pack-file"), .main(.id("main"), document(pack)))
            ).render()
        }
    }

    private static func document(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        .div(
            .class("board-pack"),
            cover(pack),
            summary(pack),
            baf(pack),
            heatMap(pack),
            movement(pack),
            compliance(pack),
            cyber(pack),
            exceptions(pack),
            appendix(pack)
        )
    }

    private static func periodForm(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        .form(
            .class("inline-form"), .method(.get), .action(SiteURL.boardPack(pack.organisation.odsCode).path),
            Components.dateField(Components.Field(id: "from", label: "From", value: pack.period.from.description, width: "field--medium")),
            Components.dateField(Components.Field(id: "to", label: "To", value: pack.period.to.description, width: "field--medium")),
            .button(.type(.submit), .class("button button--secondary"), .text("Change period")),
            .p(.class("print-hint"), .text("To keep a copy, print this page or save it as PDF from the browser's print dialogue."))
        )
    }

    private static func cover(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        .section(
            .class("pack-cover"),
            .p(.class("pack-marking"), .text("OFFICIAL")),
            .p(.class("caption"), .text("IT governance, risk and assurance")),
            .h1(.text("Board pack")),
            .p(.class("pack-cover__organisation"), .text(pack.organisation.name)),
            Components.summaryList([
                ("ODS code", .text(pack.organisation.odsCode)),
                ("Reporting period", .text("\(pack.period.from.nhsStyle) to \(pack.period.to.nhsStyle)")),
                ("Generated", .text("\(LondonTime.format(pack.generatedAt)) by Assure \(AssureRelease.version) from the live records")),
            ]),
            .p(.text("Contents: 1 Summary · 2 Board Assurance Framework · 3 Risk heat map · 4 Risk movement · 5 DSPT and CAF position · 6 Cyber posture · 7 Exceptions · Appendix: data sources and definitions"))
        )
    }

    private static func summary(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        let ratings = KeyIndicator.allCases.map { $0.rating(pack.closing[$0]) }
        func count(_ rating: RAGRating) -> Int { ratings.filter { $0 == rating }.count }
        return section("1 Summary",
            .p(.text("At the end of the period \(count(.green)) of \(KeyIndicator.allCases.count) key indicators are green, \(count(.amber)) amber and \(count(.red)) red; \(count(.notMeasured)) cannot be measured yet.")),
            .table(
                .class("table"),
                .caption(.text("Key indicators against the standard targets")),
                .thead(.tr(.th(.text("Indicator")), .th(.text("Start of period")), .th(.text("End of period")), .th(.text("Target")), .th(.text("Rating")), .th(.text("Trend")))),
                .tbody(.forEach(KeyIndicator.allCases) { indicator in
                    let history = pack.trend.map { $0.values[indicator] }
                    return .tr(
                        .th(.attribute(named: "scope", value: "row"), .text(indicator.title)),
                        .td(.text(pack.opening.map { "\(indicator.format($0.values[indicator])) (\(CalendarDay.nhsStyle($0.day)))" } ?? "—")),
                        .td(.text(indicator.format(pack.closing[indicator]))),
                        .td(.text(indicator.targetDescription)),
                        .td(DashboardView.ragTag(indicator.rating(pack.closing[indicator]))),
                        .td(history.compactMap { $0 }.count > 1
                            ? Components.sparkline(history, label: "\(indicator.title) over the period: " + history.map { indicator.format($0) }.joined(separator: ", "),
                                                   top: indicator.unit == .percent ? 100 : nil, width: 120, height: 30, modifier: "sparkline--small")
                            : .text("—"))
                    )
                })
            )
        )
    }

    private static func baf(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        section("2 Board Assurance Framework",
            pack.objectives.isEmpty
                ? .p(.text("No strategic objectives are recorded on the Board Assurance Framework."))
                : .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Strategic objective")), .th(.text("Lead and committee")), .th(.text("Assurance")), .th(.text("Principal risks")))),
                    .tbody(.forEach(pack.objectives) { view in
                        let level = AssuranceLevel(rawValue: view.objective.assurance)
                        return .tr(
                            .td(.text("\(view.objective.reference) \(view.objective.title)")),
                            .td(.text("\(view.objective.leadEmail); \(view.objective.committee)")),
                            .td(.span(.class("score score--\(level?.colour ?? "grey")"), .text(level?.displayName ?? view.objective.assurance)),
                                .if(!view.objective.assuranceRationale.isEmpty, .p(.text(view.objective.assuranceRationale)))),
                            .td(view.risks.isEmpty ? .text("None linked") : .ul(.class("list"), .forEach(view.risks) { risk in
                                .li(.text("\(risk.reference) \(risk.title) "), Components.riskScore(risk.currentScore, pack.matrix))
                            }))
                        )
                    })
                )
        )
    }

    private static func heatMap(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        section("3 Risk heat map",
            pack.heatMap.total == 0
                ? .p(.text("There are no live risks."))
                : .group(.p(.text("\(pack.heatMap.total) live risks on the \(pack.matrix.name), now (large figure) and at target.")),
                         .raw(HeatMapPage.svg(pack.heatMap, code: pack.organisation.odsCode))))
    }

    private static func movement(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        section("4 Risk movement",
            pack.movements.isEmpty
                ? .p(.text("No risk was opened or changed score between \(pack.period.from.nhsStyle) and \(pack.period.to.nhsStyle)."))
                : .table(
                    .class("table"),
                    .caption(.text("Risks opened or re-scored in the period, largest rise first")),
                    .thead(.tr(.th(.text("Risk")), .th(.text("Score at start")), .th(.text("Score at end")), .th(.text("Movement")), .th(.text("Status")))),
                    .tbody(.forEach(pack.movements) { movement in
                        .tr(.td(.text("\(movement.reference) \(movement.title)")),
                            .td(movement.before.map { Components.riskScore($0, pack.matrix) } ?? .text("New in period")),
                            .td(Components.riskScore(movement.after, pack.matrix)),
                            .td(.text(movement.before.map { $0 < movement.after ? "Up \(movement.after - $0)" : "Down \($0 - movement.after)" } ?? "Opened")),
                            .td(.text(RiskStatus(rawValue: movement.status)?.displayName ?? movement.status)))
                    })
                ))
    }

    private static func compliance(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        section("5 DSPT and CAF position",
            pack.gaps.isEmpty
                ? .p(.text("No DSPT or CAF assessment has been started."))
                : .group(.forEach(pack.gaps) { gaps in
                    let atTarget = gaps.catalogue.items.count - gaps.belowTarget.count
                    return .group(
                        .h3(.text("\(gaps.catalogue.title) \(gaps.assessment.period) (\(gaps.assessment.reference))")),
                        .p(.text("\(atTarget) of \(gaps.catalogue.items.count) items at or above target"),
                           .if(gaps.catalogue.items.contains(where: \.mandatory), .text("; \(gaps.mandatoryNotMet.count) mandatory items not met")),
                           .text(". Final submission due \(CalendarDay.nhsStyle(gaps.assessment.finalDue)).")),
                        .if(!gaps.belowTarget.isEmpty, .details(
                            .summary(.text("Items below target (\(gaps.belowTarget.count))")),
                            .ul(.class("list"), .forEach(gaps.belowTarget) { item in .li(.text("\(item.id) \(item.title)\(item.mandatory ? " (mandatory)" : "")")) })
                        ))
                    )
                }))
    }

    private static func cyber(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        let first = pack.estate.first, last = pack.estate.last
        return section("6 Cyber posture",
            last == nil
                ? .p(.text("No device inventory has been analysed, so estate exposure cannot be reported."))
                : .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Measure")), .th(.text(first.map { CalendarDay.nhsStyle($0.day) } ?? "")), .th(.text(last.map { CalendarDay.nhsStyle($0.day) } ?? "")))),
                    .tbody(
                        row("Devices", first?.roll_up.devices, last?.roll_up.devices),
                        row("Patch compliant (%)", first?.roll_up.patchCompliancePercent, last?.roll_up.patchCompliancePercent),
                        row("Known-exploited vulnerabilities (devices)", first?.roll_up.knownExploited, last?.roll_up.knownExploited),
                        row("Unsupported operating system (devices)", first?.roll_up.unsupportedOS, last?.roll_up.unsupportedOS),
                        row("Critical or high severity (devices)", first?.roll_up.criticalOrHigh, last?.roll_up.criticalOrHigh)
                    )
                ),
            .p(.text("Overdue high severity cyber alerts at the end of the period: \(KeyIndicator.overdueCyberAlerts.format(pack.closing[.overdueCyberAlerts])).")))
    }

    private static func row(_ label: String, _ start: Int?, _ end: Int?) -> Node<HTML.TableContext> {
        .tr(.th(.attribute(named: "scope", value: "row"), .text(label)), .td(.text(start.map(String.init) ?? "—")), .td(.text(end.map(String.init) ?? "—")))
    }

    private static func exceptions(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        let red = KeyIndicator.allCases.filter { $0.rating(pack.closing[$0]) == .red }
        let mandatory = pack.gaps.flatMap { gaps in gaps.mandatoryNotMet.map { (gaps.assessment.reference, $0) } }
        return section("7 Exceptions",
            .h3(.text("Indicators rated red")),
            red.isEmpty ? .p(.text("None.")) : .ul(.class("list"), .forEach(red) { indicator in
                .li(.text("\(indicator.title): \(indicator.format(pack.closing[indicator])) against \(indicator.targetDescription.lowercased())"))
            }),
            .h3(.text("Risks above appetite")),
            pack.aboveAppetite.isEmpty ? .p(.text("None.")) : .ul(.class("list"), .forEach(pack.aboveAppetite) { risk in
                .li(.text("\(risk.reference) \(risk.title) (\(RiskCategory(rawValue: risk.category)?.displayName ?? risk.category), owner \(pack.name(of: risk.owner))) "),
                    Components.riskScore(risk.current_score, pack.matrix))
            }),
            .h3(.text("Overdue risk actions")),
            pack.overdueActions.isEmpty ? .p(.text("None.")) : .ul(.class("list"), .forEach(pack.overdueActions) { action in
                .li(.text("\(action.reference): \(action.description) (\(pack.name(of: action.owner)), due \(CalendarDay.nhsStyle(action.due)))"))
            }),
            .h3(.text("DSPT mandatory items not met")),
            mandatory.isEmpty ? .p(.text("None.")) : .ul(.class("list"), .forEach(mandatory) { reference, item in
                .li(.text("\(reference) \(item.id) \(item.title)"))
            })
        )
    }

    private static func appendix(_ pack: BoardPack) -> Node<HTML.BodyContext> {
        section("Appendix: data sources and definitions",
            .h3(.text("Data sources")),
            .table(.class("table"), .thead(.tr(.th(.text("Source")), .th(.text("What was used")))),
                   .tbody(.forEach(pack.sources) { .tr(.td(.text($0.name)), .td(.text($0.detail))) })),
            .h3(.text("Indicator definitions")),
            .table(.class("table"), .thead(.tr(.th(.text("Indicator")), .th(.text("What it counts")), .th(.text("Target")))),
                   .tbody(.forEach(KeyIndicator.allCases) { .tr(.td(.text($0.title)), .td(.text($0.explanation)), .td(.text($0.targetDescription))) }))
        )
    }

    private static func section(_ title: String, _ content: Node<HTML.BodyContext>...) -> Node<HTML.BodyContext> {
        .section(.class("pack-section"), .h2(.text(title)), .group(content))
    }
}
