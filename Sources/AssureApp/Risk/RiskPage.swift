import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/risks/{R-0042}`: one risk — description, scores against appetite, the
/// score's history as a sparkline and table, controls, gaps, actions — with the forms to review
/// it and add controls and actions.
enum RiskPage {
    struct Model {
        var context: RiskContext
        var risk: Risk
        var controls: [RiskControl]
        var actions: [RiskAction]
        var history: [RiskScoreChange]
        var problems: [AssureError.FieldProblem] = []
        var form: [String: String] = [:]
        var notice: String?
    }

    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let risk = try await context.register.find(try req.riskReference)
        return try await render(req, context, risk)
    }

    static func render(_ req: Request, _ context: RiskContext, _ risk: Risk, problems: [AssureError.FieldProblem] = [],
                       form: [String: String] = [:], notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try risk.requireID()
        let model = Model(
            context: context, risk: risk,
            controls: try await RiskControl.query(on: req.db).filter(\.$risk.$id == id).sort(\.$createdAt).all(),
            actions: try await RiskAction.query(on: req.db).filter(\.$risk.$id == id).sort(\.$due).all(),
            history: try await RiskScoreChange.query(on: req.db).filter(\.$risk.$id == id).sort(\.$changedAt).all(),
            problems: problems, form: form, notice: notice)
        let shell = context.shell("\(risk.reference) \(risk.title)", problems: !problems.isEmpty,
                                  crumbs: [.init(title: "Risk register", url: .risks(context.organisation.odsCode))])
        return Layout.response(shell, status: status, view(model))
    }

    /// POST handlers: each re-shows the page with the problem, or redirects back to it.
    static func act(_ action: SiteURL.RiskPageAction) -> @Sendable (Request) async throws -> Response {
        { req in
            let context = try await req.riskContext(.read)
            let risk = try await context.register.find(try req.riskReference)
            let form = (try? req.content.decode([String: String].self)) ?? [:]
            do {
                try await RiskChanges.perform(action, on: risk, form: form, context: context)
                return req.redirect(to: SiteURL.risk(context.organisation.odsCode, risk.reference).path, redirectType: .normal)
            } catch let error as AssureError where error.status.code < 500 && error.status != .forbidden {
                return try await render(req, context, risk, problems: error.problems.isEmpty ? [.init(field: "rationale", message: error.detail)] : error.problems,
                                        form: form, status: error.status)
            }
        }
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let risk = model.risk, context = model.context, matrix = context.matrix
        let code = context.organisation.odsCode
        let appetite = context.settings.appetite[risk.riskCategory]
        let above = context.settings.isAboveAppetite(score: risk.currentScore, category: risk.riskCategory)
        let reviewOverdue = (CalendarDay(risk.nextReview) ?? context.today) < context.today
        let mayChange = context.mayChange(risk)
        return .group(
            Components.errorSummary(model.problems, fieldIDs: ["current_likelihood", "current_consequence", "rationale", "control", "effectiveness",
                                                               "action", "action_owner", "due", "status"]),
            .span(.class("caption"), .text("\(risk.reference) · \(risk.riskCategory.displayName) · \(risk.riskStatus.displayName)")),
            .h1(.text(risk.title)),
            .if(mayChange, .p(.class("button-group"), .a(.class("button button--secondary"), .href(SiteURL.riskAction(code, risk.reference, .edit).path), .text("Edit risk")))),
            .div(.class("score-panel"),
                 scoreBlock("Initial", risk.initialScore, risk.initial, matrix),
                 scoreBlock("Current", risk.currentScore, risk.current, matrix),
                 scoreBlock("Target", risk.targetScore, risk.target, matrix),
                 .div(.class("score-block"),
                      .h2(.class("score-block__title"), .text("Appetite")),
                      .p(.text(appetite.map { "Up to \($0) for \(risk.riskCategory.displayName.lowercased())" } ?? "Not set")),
                      .if(above, .p(.span(.class("tag tag--red"), .text("Above appetite")))),
                      .if(context.settings.isEscalated(score: risk.currentScore), .p(.span(.class("tag"), .text("Escalated")))))),
            Components.summaryList([
                ("Cause", .text(risk.cause)), ("Event", .text(risk.event)), ("Effect", .text(risk.effect)),
                ("Owner", .text(risk.ownerEmail)), ("Handler", .text(risk.handlerEmail ?? "None")),
                ("Directorate or department", .text(risk.department.isEmpty ? "Not recorded" : risk.department)),
                ("Strategic objective", .text(risk.objective.isEmpty ? "Not linked" : risk.objective)),
                ("Source reference", .text(risk.sourceReference.isEmpty ? "None" : risk.sourceReference)),
                ("Opened", .text(CalendarDay.nhsStyle(risk.opened))),
                ("Last reviewed", .text(risk.lastReviewed)),
                ("Next review", .group(.text(CalendarDay.nhsStyle(risk.nextReview)), .if(reviewOverdue, .span(.class("tag tag--red"), .text("Overdue"))))),
            ]),
            .h2(.class("heading-m"), .text("Score history")),
            sparkline(model.history, matrix),
            Components.scrollableTable(label: "Score history", .table(
                .class("table"),
                .thead(.tr(.th(.text("When (UTC)")), .th(.text("Who")), .th(.text("Score")), .th(.text("Why")))),
                .tbody(.forEach(model.history.reversed()) { change in
                    .tr(.td(.text(LondonTime.format(change.changedAt))), .td(.text(change.actor)),
                        .td(Components.riskScore(change.score, matrix), .text(" (\(change.likelihood)×\(change.consequence))")),
                        .td(.text(change.rationale)))
                }))),
            .if(mayChange, reviewForm(model)),
            .h2(.class("heading-m"), .text("Existing controls")),
            model.controls.isEmpty ? .p(.text("No controls recorded yet."))
                : .ul(.class("control-list"), .forEach(model.controls) { control in
                    .li(.text(control.description + " "), .span(.class(control.effectiveness == "effective" ? "tag tag--green" : control.effectiveness == "ineffective" ? "tag tag--red" : "tag"),
                                                            .text(ControlEffectiveness(rawValue: control.effectiveness)?.displayName ?? control.effectiveness)))
                }),
            .if(mayChange, controlForm(model)),
            .h2(.class("heading-m"), .text("Gaps")),
            Components.summaryList([
                ("Gaps in control", .text(risk.gapsInControl.isEmpty ? "None recorded" : risk.gapsInControl)),
                ("Gaps in assurance", .text(risk.gapsInAssurance.isEmpty ? "None recorded" : risk.gapsInAssurance)),
            ]),
            .h2(.class("heading-m"), .text("Actions")),
            model.actions.isEmpty ? .p(.text("No actions yet."))
                : Components.scrollableTable(label: "Actions", actionsTable(model)),
            .if(mayChange, actionForm(model))
        )
    }

    private static func scoreBlock(_ title: String, _ score: Int, _ rating: RiskRating, _ matrix: RiskMatrix) -> Node<HTML.BodyContext> {
        let likelihood = matrix.likelihood.first { $0.score == rating.likelihood }?.label ?? "?"
        let consequence = matrix.consequence.first { $0.score == rating.consequence }?.label ?? "?"
        return .div(.class("score-block"),
                    .h2(.class("score-block__title"), .text(title)),
                    .p(Components.riskScore(score, matrix)),
                    .p(.class("hint"), .text("\(likelihood) (\(rating.likelihood)) × \(consequence) (\(rating.consequence))")))
    }

    /// The current score over time as an inline SVG line (no script); the table below says the same in words.
    static func sparkline(_ history: [RiskScoreChange], _ matrix: RiskMatrix) -> Node<HTML.BodyContext> {
        guard history.count > 1 else { return .p(.text("The score has not changed since the risk was opened.")) }
        return Components.sparkline(history.map { Double($0.score) }, label: "Score over time: \(history.map { String($0.score) }.joined(separator: ", "))",
                                    top: Double(matrix.highestScore))
    }

    private static func actionsTable(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.context.organisation.odsCode
        return .table(
            .class("table"),
            .thead(.tr(.th(.text("Action")), .th(.text("Owner")), .th(.text("Due")), .th(.text("Status")))),
            .tbody(.forEach(model.actions) { action in
                let overdue = action.actionStatus.isOpen && (CalendarDay(action.due) ?? model.context.today) < model.context.today
                let mayUpdate = model.context.mayChange(model.risk) || (action.ownerEmail == model.context.actor && model.context.may(.updateAssignedAction))
                return .tr(
                    .td(.text(action.description)), .td(.text(action.ownerEmail)),
                    .td(.text(CalendarDay.nhsStyle(action.due)), .if(overdue, .span(.class("tag tag--red"), .text("Overdue")))),
                    .td(mayUpdate
                        ? .form(.class("inline-form"), .method(.post), .action(SiteURL.riskAction(code, model.risk.reference, .actionStatus).path),
                                Components.csrfField(), .input(.type(.hidden), .name("action_id"), .value(action.id?.uuidString ?? "")),
                                Components.selectField(.init(id: "status-\(action.id?.uuidString ?? "")", label: "Status", value: action.status),
                                                       options: RiskActionStatus.allCases.map { ($0.rawValue, $0.displayName) }, name: "status"),
                                .button(.type(.submit), .class("button button--secondary button--small"), .text("Update")))
                        : .text(action.actionStatus.displayName))
                )
            })
        )
    }

    private static func reviewForm(_ model: Model) -> Node<HTML.BodyContext> {
        let matrix = model.context.matrix, risk = model.risk
        return .form(
            .class("panel"), .method(.post), .action(SiteURL.riskAction(model.context.organisation.odsCode, risk.reference, .review).path), .attribute(named: "novalidate"),
            .h2(.class("heading-m"), .text("Review this risk")),
            .p(.text("Confirm or change the current score and say what the review found. The next review is set from the score's band.")),
            Components.csrfField(),
            Components.selectField(.init(id: "current_likelihood", label: "Likelihood now", value: model.form["current_likelihood"] ?? String(risk.currentLikelihood),
                                         error: model.problems.message(for: "current_likelihood")), options: matrix.likelihood.map { (String($0.score), "\($0.score) \($0.label)") }),
            Components.selectField(.init(id: "current_consequence", label: "Consequence now", value: model.form["current_consequence"] ?? String(risk.currentConsequence),
                                         error: model.problems.message(for: "current_consequence")), options: matrix.consequence.map { (String($0.score), "\($0.score) \($0.label)") }),
            Components.textArea(.init(id: "rationale", label: "What the review found", hint: "For example: patching of the modality network completed; likelihood reduced",
                                      value: model.form["rationale"] ?? "", error: model.problems.message(for: "rationale"))),
            .button(.type(.submit), .class("button"), .text("Record review"))
        )
    }

    private static func controlForm(_ model: Model) -> Node<HTML.BodyContext> {
        return .form(
            .class("panel"), .method(.post), .action(SiteURL.riskAction(model.context.organisation.odsCode, model.risk.reference, .controls).path), .attribute(named: "novalidate"),
            .h3(.text("Add a control")),
            Components.csrfField(),
            Components.textField(.init(id: "control", label: "Control", hint: "What is already in place", value: model.form["control"] ?? "", error: model.problems.message(for: "control"))),
            Components.selectField(.init(id: "effectiveness", label: "How well it works", value: model.form["effectiveness"] ?? "partially-effective", error: model.problems.message(for: "effectiveness")),
                                   options: ControlEffectiveness.allCases.map { ($0.rawValue, $0.displayName) }),
            .button(.type(.submit), .class("button button--secondary"), .text("Add control"))
        )
    }

    private static func actionForm(_ model: Model) -> Node<HTML.BodyContext> {
        return .form(
            .class("panel"), .method(.post), .action(SiteURL.riskAction(model.context.organisation.odsCode, model.risk.reference, .actions).path), .attribute(named: "novalidate"),
            .h3(.text("Add an action")),
            Components.csrfField(),
            Components.textField(.init(id: "action", label: "Action", hint: "What will be done to reduce the risk", value: model.form["action"] ?? "", error: model.problems.message(for: "action"))),
            Components.textField(.init(id: "action_owner", label: "Owner's email address", value: model.form["action_owner"] ?? "", error: model.problems.message(for: "action_owner"))),
            Components.dateField(.init(id: "due", label: "Due date", value: model.form["due"] ?? "", error: model.problems.message(for: "due"), width: "field--short")),
            .button(.type(.submit), .class("button button--secondary"), .text("Add action"))
        )
    }
}

extension Request {
    /// The `:risk` route parameter (R-0042 or 42).
    var riskReference: String { get throws { try pathParameter(SiteURL.riskReference) } }
}
