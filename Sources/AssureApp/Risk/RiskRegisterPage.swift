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
/// figures; the same filters export as CSV. Model / view / query: `load` reads, `Model` is what
/// the page shows, `view` is a pure function of it.
enum RiskRegisterPage {
    /// Everything the register page shows, and nothing it does not.
    struct Model {
        struct Permissions { var create = false, importRisks = false, manageSettings = false }

        var code: String
        var name: String
        /// ICBs and regions see the risks escalated from below.
        var hasOrganisationsBelow: Bool
        var matrix: RiskMatrix
        var settings: RiskSettings
        var today: CalendarDay
        var may = Permissions()
        var filter = RiskFilter()
        var total = 0
        var rows: [RiskRow] = []
        var figures = RiskQuery.Figures()
        var departments: [String] = []
        var problems: [AssureError.FieldProblem] = []

        var pages: Int { max(1, (total + RiskFilter.pageSize - 1) / RiskFilter.pageSize) }
    }

    /// The page's frame for this organisation and person, before anything is read.
    static func frame(_ context: RiskContext) -> Model {
        Model(code: context.organisation.odsCode, name: context.organisation.name, hasOrganisationsBelow: context.organisation.type.mayHaveChildren,
              matrix: context.matrix, settings: context.settings, today: context.today,
              may: .init(create: context.may(.createRecord), importRisks: context.may(.editAnyRecord), manageSettings: context.may(.manageSettings)))
    }

    /// Reads the page of risks the filter selects, the headline figures and the departments to filter by.
    static func load(_ context: RiskContext, _ filter: RiskFilter, on sql: any SQLDatabase) async throws -> Model {
        var model = frame(context)
        model.filter = filter
        // The headline figures and the filter's total in one pass, then the page's rows.
        model.figures = try await RiskQuery.headline(context.register, settings: context.settings, matrix: context.matrix, counting: filter, on: sql)
        let result = try await RiskQuery.rows(filter, organisation: context.organisation.id, settings: context.settings, matrix: context.matrix,
                                              today: context.today, limit: RiskFilter.pageSize, counted: model.figures.matching, on: sql)
        (model.total, model.rows) = (result.total, result.rows)
        model.departments = try await sql.raw("SELECT DISTINCT department FROM risks WHERE organisation_id = \(bind: context.organisation.id) AND department <> '' ORDER BY department LIMIT 200")
            .all().map { try $0.decode(column: "department", as: String.self) }
        return model
    }

    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        do {
            let model = try await load(context, try RiskFilter.read(from: req), on: try req.db.sqlDatabase)
            return Layout.response(context.shell("Risk register"), view(model))
        } catch let error as AssureError where error.status.code < 500 {
            var model = frame(context)
            model.problems = error.problems
            return Layout.response(context.shell("Risk register", problems: true), status: error.status, view(model))
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

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code, filter = model.filter
        return .group(
            Components.errorSummary(model.problems, fieldIDs: ["status", "category", "sort", "page"]),
            .h1(.text("Risk register")),
            .p(.class("lede"), .text("\(model.name)'s risks, scored on the \(model.matrix.name).")),
            .p(.class("button-group"),
               .if(model.may.create, .a(.class("button"), .href(SiteURL.newRisk(code).path), .text("Add a risk"))),
               .a(.class("button button--secondary"), .href(SiteURL.heatMap(code).path), .text("Heat map")),
               .if(model.may.importRisks, .a(.class("button button--secondary"), .href(SiteURL.importRisks(code).path), .text("Import CSV"))),
               .a(.class("button button--secondary"), .href(SiteURL.baf(code).path), .text("Board Assurance Framework")),
               .if(model.hasOrganisationsBelow, .a(.class("button button--secondary"), .href(SiteURL.escalatedRisks(code).path), .text("Escalated risks below"))),
               .if(model.may.manageSettings, .a(.class("button button--secondary"), .href(SiteURL.riskSettings(code).path), .text("Appetite and matrix")))),
            .ul(.class("card-grid"),
                figureCard("Live risks", model.figures.live, "open or tolerated", SiteURL.risks(code).path),
                figureCard("Above appetite", model.figures.aboveAppetite, "current score above the category's appetite",
                           SiteURL.risks(code).with(query: [("above_appetite", "yes")])),
                figureCard("Review overdue", model.figures.reviewOverdue, "past their next review date", SiteURL.risks(code).with(query: [("review_overdue", "yes")])),
                figureCard("Escalated", model.figures.escalated, "at or above \(model.settings.escalationThreshold), on the next level's view",
                           SiteURL.risks(code).with(query: [("escalated", "yes")]))),
            filterForm(model),
            model.rows.isEmpty
                ? Components.emptyState(
                    title: filter.isFiltered ? "No risks match" : "No risks yet",
                    message: filter.isFiltered ? "No risk matches these filters. Clear them to see the whole register."
                        : "Record the first risk to \(model.name)'s objectives or services.",
                    actions: filter.isFiltered ? [("Clear filters", .risks(code))] : (model.may.create ? [("Add a risk", .newRisk(code))] : []))
                : .group(
                    .p(.class("button-group"), .text("\(Words.count(model.total, "risk")) · page \(filter.page) of \(model.pages)"),
                       .a(.class("button button--secondary"), .href(SiteURL.risksCSV(code).with(query: filter.queryItems)), .text("Download CSV"))),
                    Components.scrollableTable(label: "Risks", table(model)),
                    pager(code, filter, model.pages)
                )
        )
    }

    private static func figureCard(_ title: String, _ value: Int, _ note: String, _ link: String) -> Node<HTML.ListContext> {
        .li(.class("card"), .h2(.class("card__title"), .a(.href(link), .text(title))), .p(.class("card__figure"), .text(String(value))), .p(.text(note)))
    }

    private static func filterForm(_ model: Model) -> Node<HTML.BodyContext> {
        let filter = model.filter, departments = model.departments
        return .form(
            .class("search-form"), .method(.get), .action(SiteURL.risks(model.code).path),
            .attribute(named: "aria-label", value: "Filter risks"),
            Components.textField(.init(id: "q", label: "Search", hint: "Title, cause, event, reference or source", value: filter.text ?? "", width: "field--medium")),
            Components.selectField(.init(id: "status", label: "Status", value: filter.status),
                                   options: [("live", "Live (open or tolerated)"), ("all", "All")] + RiskStatus.allCases.map { ($0.rawValue, $0.displayName) }),
            Components.selectField(.init(id: "category", label: "Category", value: filter.category?.rawValue ?? ""),
                                   options: [("", "Any category")] + RiskCategory.allCases.map { ($0.rawValue, $0.displayName) }),
            .if(!departments.isEmpty, Components.selectField(.init(id: "department", label: "Directorate or department", value: filter.department ?? ""),
                                                             options: [("", "All")] + departments.map { ($0, $0) })),
            Components.selectField(.init(id: "band", label: "Band", value: filter.band ?? ""),
                                   options: [("", "Any band")] + model.matrix.bands.map { ($0.key, $0.label) }),
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

    static func table(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code, today = model.today
        return .table(
            .class("table"),
            .thead(.tr(.th(.text("Risk")), .th(.text("Category")), .th(.text("Owner")), .th(.text("Current")),
                       .th(.text("Target")), .th(.text("Since last review")), .th(.text("Next review")), .th(.text("Overdue actions")))),
            .tbody(.forEach(model.rows) { row in
                let category = RiskCategory(rawValue: row.category) ?? .operational
                let above = model.settings.isAboveAppetite(score: row.current_score, category: category)
                let movement = RiskMovement.between(previous: row.previous_score, current: row.current_score)
                let overdue = (CalendarDay(row.next_review) ?? today) < today
                return .tr(
                    .td(.span(.class("caption nowrap"), .text(row.reference)), .a(.href(SiteURL.risk(code, row.reference).path), .text(row.title)),
                        .if(row.status != "open", .span(.class("tag tag--grey"), .text(RiskStatus(rawValue: row.status)?.displayName ?? row.status)))),
                    .td(.text(category.displayName)),
                    .td(.text(row.owner_name ?? row.owner)),
                    .td(Components.riskScore(row.current_score, model.matrix), .if(above, .span(.class("tag tag--red"), .text("Above appetite")))),
                    .td(Components.riskScore(row.target_score, model.matrix)),
                    .td(.span(.attribute(named: "aria-hidden", value: "true"), .text(movement.symbol + " ")), .text(movement.displayName)),
                    .td(.span(.class("nowrap"), .text(CalendarDay.nhsStyle(row.next_review))), .if(overdue, .span(.class("tag tag--red"), .text("Overdue")))),
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
