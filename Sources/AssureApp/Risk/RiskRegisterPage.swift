import AssureCore
import Fluent
import Foundation
import Plot
import SQLKit
import Vapor

/// What every risk page needs beyond the organisation context: the register, its settings and
/// its matrix. Only risk pages load these; the context's own members read through.
@dynamicMemberLookup
struct RiskContext {
    let organisationContext: OrganisationContext
    let register: RiskRegister
    let settings: RiskSettings
    let matrix: RiskMatrix

    init(_ context: OrganisationContext) async throws {
        organisationContext = context
        register = RiskRegister(context)
        (settings, matrix) = try await register.configuration()
    }

    subscript<Value>(dynamicMember keyPath: KeyPath<OrganisationContext, Value>) -> Value { organisationContext[keyPath: keyPath] }

    func may(_ action: Actions) -> Bool { organisationContext.may(action) }

    /// Managers change any risk; contributors only the ones they own.
    func mayChange(_ risk: Risk) -> Bool {
        may(.editAnyRecord) || (may(.editOwnRecord) && risk.ownerEmail == organisationContext.actor)
    }

    func requireChange(_ risk: Risk) throws {
        guard mayChange(risk) else {
            throw AssureError(status: .forbidden, title: "Not permitted",
                              detail: "Only the risk's owner or a manager in \(organisationContext.organisation.name) may change \(risk.reference).")
        }
    }

    func shell(_ title: String, problems: Bool = false, crumbs extra: [PageShell.Breadcrumb] = []) -> PageShell {
        organisationContext.shell(title, problems: problems, crumbs: extra, section: .risks)
    }
}

extension Request {
    /// Authorises `action` on the organisation in the address and loads its risk settings.
    func riskContext(_ action: Actions) async throws -> RiskContext {
        try await RiskContext(organisationContext(action))
    }
}

/// `/organisations/{code}/risks`: the register, filtered, sorted and paged, with its headline
/// figures; the same filters export as CSV.
enum RiskRegisterPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let sql = try req.db.sqlDatabase
        do {
            let filter = try RiskFilter.read(from: req)
            let result = try await RiskQuery.rows(filter, organisation: context.organisation.id, settings: context.settings, matrix: context.matrix,
                                                  today: context.today, limit: RiskFilter.pageSize, on: sql)
            let figures = try await RiskQuery.headline(context.register, settings: context.settings, matrix: context.matrix, on: sql)
            let departments = try await sql.raw("SELECT DISTINCT department FROM risks WHERE organisation_id = \(bind: context.organisation.id) AND department <> '' ORDER BY department LIMIT 200")
                .all().map { try $0.decode(column: "department", as: String.self) }
            return Layout.response(context.shell("Risk register"), view(context, filter, result.total, result.rows, figures, problems: [], departments: departments))
        } catch let error as AssureError where error.status.code < 500 {
            return Layout.response(context.shell("Risk register", problems: true), status: error.status,
                                   view(context, RiskFilter(), 0, [], RiskQuery.Figures(), problems: error.problems))
        }
    }

    static func csv(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let sql = try req.db.sqlDatabase
        let filter = try RiskFilter.read(from: req)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"risks-\(context.organisation.odsCode)-\(context.today).csv\"")
        return Response(status: .ok, headers: headers, body: .init(data: try await RiskCSV.export(filter, context: context, on: sql)))
    }

    static func view(_ context: RiskContext, _ filter: RiskFilter, _ total: Int, _ rows: [RiskRow], _ figures: RiskQuery.Figures,
                     problems: [AssureError.FieldProblem], departments: [String] = []) -> Node<HTML.BodyContext> {
        let code = context.organisation.odsCode
        let pages = max(1, (total + RiskFilter.pageSize - 1) / RiskFilter.pageSize)
        return .group(
            Components.errorSummary(problems, fieldIDs: ["status", "category", "sort", "page"]),
            .h1(.text("Risk register")),
            .p(.class("lede"), .text("\(context.organisation.name)'s risks, scored on the \(context.matrix.name).")),
            .p(.class("button-group"),
               .if(context.may(.createRecord), .a(.class("button"), .href(SiteURL.newRisk(code).path), .text("Add a risk"))),
               .a(.class("button button--secondary"), .href(SiteURL.heatMap(code).path), .text("Heat map")),
               .if(context.may(.editAnyRecord), .a(.class("button button--secondary"), .href(SiteURL.importRisks(code).path), .text("Import CSV"))),
               .a(.class("button button--secondary"), .href(SiteURL.baf(code).path), .text("Board Assurance Framework")),
               .if(context.organisation.type.mayHaveChildren, .a(.class("button button--secondary"), .href(SiteURL.escalatedRisks(code).path), .text("Escalated risks below"))),
               .if(context.may(.manageSettings), .a(.class("button button--secondary"), .href(SiteURL.riskSettings(code).path), .text("Appetite and matrix")))),
            .ul(.class("card-grid"),
                figureCard("Live risks", figures.live, "open or tolerated", SiteURL.risks(code).path),
                figureCard("Above appetite", figures.aboveAppetite, "current score above the category's appetite",
                           SiteURL.risks(code).with(query: [("above_appetite", "yes")])),
                figureCard("Review overdue", figures.reviewOverdue, "past their next review date", SiteURL.risks(code).with(query: [("review_overdue", "yes")])),
                figureCard("Escalated", figures.escalated, "at or above \(context.settings.escalationThreshold), on the next level's view",
                           SiteURL.risks(code).with(query: [("escalated", "yes")]))),
            filterForm(context, filter, departments: departments),
            rows.isEmpty
                ? Components.emptyState(
                    title: filter.isFiltered ? "No risks match" : "No risks yet",
                    message: filter.isFiltered ? "No risk matches these filters. Clear them to see the whole register."
                        : "Record the first risk to \(context.organisation.name)'s objectives or services.",
                    actions: filter.isFiltered ? [("Clear filters", .risks(code))] : (context.may(.createRecord) ? [("Add a risk", .newRisk(code))] : []))
                : .group(
                    .p(.class("button-group"), .text("\(Words.count(total, "risk")) · page \(filter.page) of \(pages)"),
                       .a(.class("button button--secondary"), .href(SiteURL.risksCSV(code).with(query: filter.queryItems)), .text("Download CSV"))),
                    Components.scrollableTable(label: "Risks", table(context, rows)),
                    pager(code, filter, pages)
                )
        )
    }

    private static func figureCard(_ title: String, _ value: Int, _ note: String, _ link: String) -> Node<HTML.ListContext> {
        .li(.class("card"), .h2(.class("card__title"), .a(.href(link), .text(title))), .p(.class("card__figure"), .text(String(value))), .p(.text(note)))
    }

    private static func filterForm(_ context: RiskContext, _ filter: RiskFilter, departments: [String]) -> Node<HTML.BodyContext> {
        .form(
            .class("search-form"), .method(.get), .action(SiteURL.risks(context.organisation.odsCode).path),
            .attribute(named: "aria-label", value: "Filter risks"),
            Components.textField(.init(id: "q", label: "Search", hint: "Title, cause, event, reference or source", value: filter.text ?? "", width: "field--medium")),
            Components.selectField(.init(id: "status", label: "Status", value: filter.status),
                                   options: [("live", "Live (open or tolerated)"), ("all", "All")] + RiskStatus.allCases.map { ($0.rawValue, $0.displayName) }),
            Components.selectField(.init(id: "category", label: "Category", value: filter.category?.rawValue ?? ""),
                                   options: [("", "Any category")] + RiskCategory.allCases.map { ($0.rawValue, $0.displayName) }),
            .if(!departments.isEmpty, Components.selectField(.init(id: "department", label: "Directorate or department", value: filter.department ?? ""),
                                                             options: [("", "All")] + departments.map { ($0, $0) })),
            Components.selectField(.init(id: "band", label: "Band", value: filter.band ?? ""),
                                   options: [("", "Any band")] + context.matrix.bands.map { ($0.key, $0.label) }),
            Components.selectField(.init(id: "sort", label: "Sort by", value: filter.sort.rawValue),
                                   options: RiskFilter.Sort.allCases.map { ($0.rawValue, $0.label) }),
            checkbox("above_appetite", "Above appetite", filter.aboveAppetite),
            checkbox("review_overdue", "Review overdue", filter.reviewOverdue),
            checkbox("escalated", "Escalated", filter.escalated),
            .unwrap(filter.cell) { cell in .group(.input(.type(.hidden), .name("likelihood"), .value(String(cell.likelihood))),
                                                 .input(.type(.hidden), .name("consequence"), .value(String(cell.consequence)))) },
            .div(.class("form-group"), .button(.type(.submit), .class("button"), .text("Filter")))
        )
    }

    static func checkbox<C: HTML.BodyContext>(_ id: String, _ label: String, _ checked: Bool) -> Node<C> {
        .div(.class("checkbox"), .input(.type(.checkbox), .id(id), .name(id), .value("yes"), .checked(checked)), .label(.for(id), .text(label)))
    }

    static func table(_ context: RiskContext, _ rows: [RiskRow]) -> Node<HTML.BodyContext> {
        let code = context.organisation.odsCode
        return .table(
            .class("table"),
            .thead(.tr(.th(.text("Risk")), .th(.text("Category")), .th(.text("Owner")), .th(.text("Current")),
                       .th(.text("Target")), .th(.text("Since last review")), .th(.text("Next review")), .th(.text("Overdue actions")))),
            .tbody(.forEach(rows) { row in
                let category = RiskCategory(rawValue: row.category) ?? .operational
                let above = context.settings.isAboveAppetite(score: row.current_score, category: category)
                let movement = RiskMovement.between(previous: row.previous_score, current: row.current_score)
                let overdue = (CalendarDay(row.next_review) ?? context.today) < context.today
                return .tr(
                    .td(.span(.class("caption nowrap"), .text(row.reference)), .a(.href(SiteURL.risk(code, row.reference).path), .text(row.title)),
                        .if(row.status != "open", .span(.class("tag tag--grey"), .text(RiskStatus(rawValue: row.status)?.displayName ?? row.status)))),
                    .td(.text(category.displayName)),
                    .td(.text(row.owner)),
                    .td(Components.riskScore(row.current_score, context.matrix), .if(above, .span(.class("tag tag--red"), .text("Above appetite")))),
                    .td(Components.riskScore(row.target_score, context.matrix)),
                    .td(.span(.attribute(named: "aria-hidden", value: "true"), .text(movement.symbol + " ")), .text(movement.displayName)),
                    .td(.span(.class("nowrap"), .text(row.next_review)), .if(overdue, .span(.class("tag tag--red"), .text("Overdue")))),
                    .td(.text(row.overdue_actions == 0 ? "None" : String(row.overdue_actions)))
                )
            })
        )
    }

    /// A score with its band's colour and name, so colour is never the only signal.
    private static func pager(_ code: String, _ filter: RiskFilter, _ pages: Int) -> Node<HTML.BodyContext> {
        guard pages > 1 else { return .empty }
        let url = SiteURL.risks(code)
        return .nav(
            .class("pager"), .ariaLabel("Pages"),
            .if(filter.page > 1, .a(.href(url.with(query: filter.queryItems + [("page", String(filter.page - 1))])), .text("Previous page"))),
            .if(filter.page < pages, .a(.href(url.with(query: filter.queryItems + [("page", String(filter.page + 1))])), .text("Next page")))
        )
    }
}
