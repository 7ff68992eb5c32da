import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/baf`: the Board Assurance Framework as a board paper — each strategic
/// objective with its principal risks, key controls, sources of assurance by line, gaps and
/// actions, and the overall assurance rating; then the escalated risks not yet on it. Prints cleanly.
enum BoardAssurancePage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        return try await render(req, context, problems: [], input: .init())
    }

    static func create(req: Request) async throws -> Response {
        let context = try await req.riskContext(.editAnyRecord)
        let input = try req.content.decode(BoardAssuranceChanges.ObjectiveInput.self)
        do {
            let objective = try await BoardAssuranceChanges(register: context.register).createObjective(input)
            return req.redirect(to: SiteURL.objective(context.organisation.odsCode, objective.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(req, context, problems: error.problems, input: input, status: error.status)
        }
    }

    static func render(_ req: Request, _ context: RiskContext, problems: [AssureError.FieldProblem], input: BoardAssuranceChanges.ObjectiveInput,
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let views = try await ObjectiveView.all(in: context.organisation, on: req.db)
        let linked = Set(views.flatMap { $0.risks.compactMap(\.id) })
        let escalated = try await Risk.query(on: req.db).filter(\.$organisation.$id == context.organisation.id)
            .filter(\.$status ~~ RiskSQL.liveStatuses).filter(\.$currentScore >= context.settings.escalationThreshold)
            .sort(\.$currentScore, .descending).all().filter { !linked.contains($0.id!) }
        let code = context.organisation.odsCode
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["title", "description", "lead", "committee"]),
            .span(.class("caption"), .text(context.organisation.name)),
            .h1(.text("Board Assurance Framework")),
            .p(.class("lede"), .text("The principal risks to \(context.organisation.name)'s strategic objectives, how they are controlled, and what assurance the board has that the controls work. As at \(context.today).")),
            .p(.class("print-hint"), .text("To include it in a board paper, use your browser's Print command: navigation and forms are left out.")),
            views.isEmpty
                ? Components.emptyState(title: "No strategic objectives yet",
                                        message: "Add the board's strategic objectives, then link the register's risks that threaten each one.", actions: [])
                : .forEach(views) { view in objectiveSection(view, context) },
            .h2(.class("heading-m"), .text("Escalated risks not on the framework")),
            escalated.isEmpty
                ? .p(.text("None: every risk at or above the escalation threshold (\(context.settings.escalationThreshold)) is linked to an objective."))
                : .group(
                    .p(.text("These risks score \(context.settings.escalationThreshold) or more, so they come to the board; link each to the objective it threatens.")),
                    Components.scrollableTable(label: "Escalated risks", riskTable(escalated, context))),
            .if(context.may(.editAnyRecord), .form(
                .class("panel no-print"), .method(.post), .action(SiteURL.baf(code).path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Add a strategic objective")),
                Components.csrfField(),
                Components.textField(.init(id: "title", label: "Objective", hint: "As the board wrote it, for example: Resilient, secure digital services",
                                           value: input.title ?? "", error: problems.message(for: "title"))),
                Components.textArea(.init(id: "description", label: "Description (optional)", value: input.description ?? "", error: problems.message(for: "description")), rows: 2),
                Components.textField(.init(id: "lead", label: "Executive lead", hint: "Email address of the executive director accountable",
                                           value: input.lead ?? "", error: problems.message(for: "lead"))),
                Components.textField(.init(id: "committee", label: "Lead committee (optional)", hint: "The board committee that receives assurance, for example the Audit and Risk Committee",
                                           value: input.committee ?? "", error: problems.message(for: "committee"))),
                .button(.type(.submit), .class("button"), .text("Add objective"))
            ))
        )
        return Layout.response(context.shell("Board Assurance Framework", problems: !problems.isEmpty).with(section: .baf), status: status, content)
    }

    /// On the framework each objective is a section under an h2; on its own page the title is the h1.
    static func objectiveSection(_ view: ObjectiveView, _ context: RiskContext, ownPage: Bool = false) -> Node<HTML.BodyContext> {
        let objective = view.objective, code = context.organisation.odsCode
        return .section(
            .class("baf-objective"),
            ownPage ? .h1(.text("\(objective.reference) \(objective.title)"))
                : .h2(.a(.href(SiteURL.objective(code, objective.reference).path), .text("\(objective.reference) \(objective.title)"))),
            .unwrap(objective.description.isEmpty ? nil : objective.description) { .p(.text($0)) },
            Components.summaryList([
                ("Executive lead", .text(objective.leadEmail)),
                ("Lead committee", .text(objective.committee.isEmpty ? "Not set" : objective.committee)),
                ("Overall assurance", .group(assuranceTag(objective.level),
                                             .text(objective.assuranceRationale.isEmpty ? " Not yet rated." : " \(objective.assuranceRationale)"))),
                ("Evidence suggests", assuranceTag(view.suggested)),
            ]),
            .h3(.text("Principal risks")),
            view.risks.isEmpty ? .p(.text("No register risks linked yet.")) : Components.scrollableTable(label: "Principal risks to \(objective.reference)", riskTable(view.risks, context)),
            .h3(.text("Key controls")),
            view.controls.isEmpty ? .p(.text("No controls recorded on the principal risks.")) : .ul(.forEach(view.risks) { risk in
                .forEach(view.controls[risk.id!] ?? []) { control in
                    .li(.text("\(control.description) (\(risk.reference)) "), effectivenessTag(control.effectiveness))
                }
            }),
            .h3(.text("Sources of assurance")),
            view.sources.isEmpty ? .p(.text("No sources of assurance recorded: the board has no evidence yet that the controls work."))
                : Components.scrollableTable(label: "Sources of assurance for \(objective.reference)", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Line")), .th(.text("Source")), .th(.text("Reported")), .th(.text("Assurance")))),
                    .tbody(.forEach(view.sources.sorted { ($0.line, $1.reported) < ($1.line, $0.reported) }) { source in
                        .tr(.td(.text(source.assuranceLine.displayName)), .td(.text(source.description)), .td(.span(.class("nowrap"), .text(source.reported))),
                            .td(.span(.class(source.assuranceOutcome == .positive ? "tag tag--green" : "tag tag--red"), .text(source.assuranceOutcome.displayName))))
                    }))),
            .h3(.text("Gaps and actions")),
            gapsAndActions(view, context)
        )
    }

    private static func gapsAndActions(_ view: ObjectiveView, _ context: RiskContext) -> Node<HTML.BodyContext> {
        let rows = view.risks.filter { !$0.gapsInControl.isEmpty || !$0.gapsInAssurance.isEmpty || !(view.actions[$0.id!] ?? []).isEmpty }
        guard !rows.isEmpty else { return .p(.text("No gaps or actions recorded on the principal risks.")) }
        return Components.scrollableTable(label: "Gaps and actions", .table(
            .class("table"),
            .thead(.tr(.th(.text("Risk")), .th(.text("Gaps in control")), .th(.text("Gaps in assurance")), .th(.text("Actions")))),
            .tbody(.forEach(rows) { risk in
                .tr(.td(.text(risk.reference)), .td(.text(risk.gapsInControl.isEmpty ? "—" : risk.gapsInControl)),
                    .td(.text(risk.gapsInAssurance.isEmpty ? "—" : risk.gapsInAssurance)),
                    .td(.ul(.forEach(view.actions[risk.id!] ?? []) { action in
                        let overdue = action.actionStatus.isOpen && (CalendarDay(action.due) ?? context.today) < context.today
                        return .li(.text("\(action.description) — \(action.ownerEmail), due \(action.due), \(action.actionStatus.displayName.lowercased()) "),
                                   .if(overdue, .span(.class("tag tag--red"), .text("Overdue"))))
                    })))
            })))
    }

    static func riskTable(_ risks: [Risk], _ context: RiskContext) -> Node<HTML.BodyContext> {
        let code = context.organisation.odsCode
        return .table(
            .class("table"),
            .thead(.tr(.th(.text("Risk")), .th(.text("Owner")), .th(.text("Current")), .th(.text("Target")), .th(.text("Since last review")))),
            .tbody(.forEach(risks) { risk in
                let movement = RiskMovement.between(previous: risk.previousScore, current: risk.currentScore)
                return .tr(
                    .td(.span(.class("caption nowrap"), .text(risk.reference)), .a(.href(SiteURL.risk(code, risk.reference).path), .text(risk.title))),
                    .td(.text(risk.ownerEmail)),
                    .td(Components.riskScore(risk.currentScore, context.matrix),
                        .if(context.settings.isAboveAppetite(score: risk.currentScore, category: risk.riskCategory), .span(.class("tag tag--red"), .text("Above appetite")))),
                    .td(Components.riskScore(risk.targetScore, context.matrix)),
                    .td(.span(.attribute(named: "aria-hidden", value: "true"), .text(movement.symbol + " ")), .text(movement.displayName)))
            }))
    }

    static func assuranceTag<C: HTML.BodyContext>(_ level: AssuranceLevel) -> Node<C> {
        .span(.class("score score--\(level.colour)"), .text(level.displayName))
    }

    static func effectivenessTag<C: HTML.BodyContext>(_ raw: String) -> Node<C> {
        let effectiveness = ControlEffectiveness(rawValue: raw) ?? .ineffective
        return .span(.class(effectiveness == .effective ? "tag tag--green" : effectiveness == .ineffective ? "tag tag--red" : "tag"), .text(effectiveness.displayName))
    }
}

/// `/organisations/{code}/baf/{SO1}`: one objective with the forms to link principal risks,
/// record sources of assurance and rate the overall assurance.
enum ObjectivePage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let objective = try await BoardAssuranceChanges(register: context.register).find(try req.objectiveReference)
        return try await render(req, context, objective, problems: [], form: [:])
    }

    static func act(_ action: SiteURL.ObjectiveAction) -> @Sendable (Request) async throws -> Response {
        { req in
            let context = try await req.riskContext(.editAnyRecord)
            let changes = BoardAssuranceChanges(register: context.register)
            let objective = try await changes.find(try req.objectiveReference)
            let form = (try? req.content.decode([String: String].self)) ?? [:]
            do {
                try await changes.perform(action, objective, form: form)
                return req.redirect(to: SiteURL.objective(context.organisation.odsCode, objective.reference).path, redirectType: .normal)
            } catch let error as AssureError where error.status.code < 500 {
                return try await render(req, context, objective, problems: error.problems.isEmpty ? [.init(field: "risk", message: error.detail)] : error.problems,
                                        form: form, status: error.status)
            }
        }
    }

    /// Shared with the API.
    static func render(_ req: Request, _ context: RiskContext, _ objective: StrategicObjective, problems: [AssureError.FieldProblem],
                       form: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let code = context.organisation.odsCode
        guard let view = try await ObjectiveView.all(in: context.organisation, on: req.db).first(where: { $0.objective.id == objective.id }) else { throw Abort(.notFound) }
        let linked = Set(view.risks.compactMap(\.id))
        let candidates = try await Risk.query(on: req.db).filter(\.$organisation.$id == context.organisation.id).filter(\.$status ~~ RiskSQL.liveStatuses)
            .sort(\.$currentScore, .descending).all().filter { !linked.contains($0.id!) }
        let editable = context.may(.editAnyRecord)
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["risk", "line", "source", "outcome", "reported", "assurance", "assurance_rationale"]),
            BoardAssurancePage.objectiveSection(view, context, ownPage: true),
            .if(editable, .group(
                .form(.class("panel no-print"), .method(.post), .action(SiteURL.objectiveAction(code, objective.reference, .link).path), .attribute(named: "novalidate"),
                      .h2(.class("heading-m"), .text("Link a principal risk")), Components.csrfField(),
                      Components.selectField(.init(id: "risk", label: "Risk from the register", value: form["risk"] ?? "", error: problems.message(for: "risk")),
                                             options: [("", "Choose a risk")] + candidates.map { ($0.reference, "\($0.reference) \($0.title) (\($0.currentScore))") }),
                      .button(.type(.submit), .class("button button--secondary"), .text("Link risk"))),
                .if(!view.risks.isEmpty, .form(.class("panel no-print"), .method(.post), .action(SiteURL.objectiveAction(code, objective.reference, .unlink).path),
                      .h2(.class("heading-m"), .text("Unlink a risk")), Components.csrfField(),
                      Components.selectField(.init(id: "unlink-risk", label: "Principal risk", value: ""),
                                             options: view.risks.map { ($0.reference, "\($0.reference) \($0.title)") }, name: "risk"),
                      .button(.type(.submit), .class("button button--secondary"), .text("Unlink risk")))),
                .form(.class("panel no-print"), .method(.post), .action(SiteURL.objectiveAction(code, objective.reference, .sources).path), .attribute(named: "novalidate"),
                      .h2(.class("heading-m"), .text("Record a source of assurance")), Components.csrfField(),
                      Components.selectField(.init(id: "line", label: "Line", value: form["line"] ?? "1", error: problems.message(for: "line")),
                                             options: AssuranceLine.allCases.map { (String($0.rawValue), "\($0.displayName): \($0.who)") }),
                      Components.textField(.init(id: "source", label: "Source", hint: "For example: Internal audit of cyber security, report 2026/07",
                                                 value: form["source"] ?? "", error: problems.message(for: "source"))),
                      Components.selectField(.init(id: "outcome", label: "Assurance it gave", value: form["outcome"] ?? "positive", error: problems.message(for: "outcome")),
                                             options: AssuranceOutcome.allCases.map { ($0.rawValue, $0.displayName) }),
                      Components.dateField(.init(id: "reported", label: "Reported", value: form["reported"] ?? context.today.description, error: problems.message(for: "reported"), width: "field--short")),
                      .button(.type(.submit), .class("button button--secondary"), .text("Add source"))),
                .form(.class("panel no-print"), .method(.post), .action(SiteURL.objectiveAction(code, objective.reference, .rating).path), .attribute(named: "novalidate"),
                      .h2(.class("heading-m"), .text("Rate the overall assurance")), Components.csrfField(),
                      .p(.text("The evidence suggests "), BoardAssurancePage.assuranceTag(view.suggested), .text(".")),
                      Components.selectField(.init(id: "assurance", label: "Overall assurance", value: form["assurance"] ?? objective.assurance, error: problems.message(for: "assurance")),
                                             options: AssuranceLevel.allCases.map { ($0.rawValue, $0.displayName) }),
                      Components.textArea(.init(id: "assurance_rationale", label: "Why", value: form["assurance_rationale"] ?? "", error: problems.message(for: "assurance_rationale")), rows: 2),
                      .button(.type(.submit), .class("button"), .text("Save rating")))
            ))
        )
        let shell = context.shell("\(objective.reference) \(objective.title)", problems: !problems.isEmpty,
                                  crumbs: [.init(title: "Board Assurance Framework", url: .baf(code))]).with(section: .baf)
        return Layout.response(shell, status: status, content)
    }
}

/// `/organisations/{code}/escalated-risks`: for an ICB, region or trust, every risk at or above its
/// own organisation's escalation threshold in the organisations below that the reader may see —
/// read-only, linking to each register.
enum EscalatedRisksPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let organisation = context.organisation
        let readable = try await context.readableDescendants()
        let byID = Dictionary(uniqueKeysWithValues: readable.map { ($0.record.id, $0) })
        // One query for the live risks of every organisation below; each is then held to its own organisation's threshold.
        let candidates = byID.isEmpty ? [] : try await Risk.query(on: req.db).filter(\.$organisation.$id ~~ Array(byID.keys))
            .filter(\.$status ~~ RiskSQL.liveStatuses).sort(\.$currentScore, .descending).all()
        var configurations: [UUID: (settings: RiskSettings, matrix: RiskMatrix)] = [:]
        var rows: [(OrganisationRecord, Risk, RiskMatrix)] = []
        for risk in candidates {
            guard let entry = byID[risk.$organisation.id] else { continue }
            if configurations[entry.record.id] == nil {
                configurations[entry.record.id] = try await RiskRegister.configuration(of: entry.record.id, on: req.db)
            }
            let configuration = configurations[entry.record.id]!
            if configuration.settings.isEscalated(score: risk.currentScore) { rows.append((entry.record, risk, configuration.matrix)) }
        }
        let content: Node<HTML.BodyContext> = .group(
            .h1(.text("Escalated risks below \(organisation.name)")),
            .p(.class("lede"), .text("Risks at or above their own organisation's escalation threshold, in the \(Words.count(readable.count, "organisation")) below that you may see. Read-only: each organisation manages its own register.")),
            rows.isEmpty
                ? Components.emptyState(title: "No escalated risks", message: "No organisation below has a live risk at or above its escalation threshold.", actions: [])
                : Components.scrollableTable(label: "Escalated risks", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Organisation")), .th(.text("Risk")), .th(.text("Category")), .th(.text("Current")), .th(.text("Target")), .th(.text("Next review")))),
                    .tbody(.forEach(rows) { record, risk, matrix in
                        .tr(.td(.a(.href(SiteURL.risks(record.odsCode).path), .text("\(record.name) (\(record.odsCode))"))),
                            .td(.span(.class("caption nowrap"), .text(risk.reference)), .a(.href(SiteURL.risk(record.odsCode, risk.reference).path), .text(risk.title))),
                            .td(.text(risk.riskCategory.displayName)),
                            .td(Components.riskScore(risk.currentScore, matrix)), .td(Components.riskScore(risk.targetScore, matrix)),
                            .td(.span(.class("nowrap"), .text(CalendarDay.nhsStyle(risk.nextReview)))))
                    })))
        )
        return Layout.response(context.shell("Escalated risks", section: .risks), content)
    }
}

struct BoardAssuranceRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.baf(SiteURL.code).pathComponents, use: BoardAssurancePage.show)
        routes.post(SiteURL.baf(SiteURL.code).pathComponents, use: BoardAssurancePage.create)
        routes.get(SiteURL.objective(SiteURL.code, SiteURL.objectiveReference).pathComponents, use: ObjectivePage.show)
        for action in SiteURL.ObjectiveAction.allCases {
            routes.post(SiteURL.objectiveAction(SiteURL.code, SiteURL.objectiveReference, action).pathComponents, use: ObjectivePage.act(action))
        }
        routes.get(SiteURL.escalatedRisks(SiteURL.code).pathComponents, use: EscalatedRisksPage.show)
    }
}

extension Request {
    var objectiveReference: String { get throws { try pathParameter(SiteURL.objectiveReference) } }
}

extension PageShell {
    func with(section: Section) -> PageShell {
        var copy = self
        copy.section = section
        return copy
    }
}
