import AssureCore
import Foundation
import Plot
import Vapor

/// Add (`/organisations/{code}/risks/new`) and edit (`…/risks/{R-0042}/edit`) a risk. A rejected
/// form comes back with what was typed and a message beside each field.
enum RiskFormPage {
    static func new(req: Request) async throws -> Response {
        let context = try await req.riskContext(.createRecord)
        var input = RiskDraft.Input()
        input.owner = context.actor
        input.opened = context.today.description
        input.status = RiskStatus.open.rawValue
        return render(context, input: input, extra: [:], existing: nil)
    }

    static func create(req: Request) async throws -> Response {
        let context = try await req.riskContext(.createRecord)
        let input = try req.content.decode(RiskDraft.Input.self)
        do {
            let risk = try await context.register.create(input)
            return req.redirect(to: SiteURL.risk(context.organisation.odsCode, risk.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return render(context, input: input, extra: [:], existing: nil, problems: error.problems, status: error.status)
        }
    }

    static func edit(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let risk = try await context.register.find(try req.riskReference)
        try context.requireChange(risk)
        return render(context, input: risk.draftInput, extra: ["gaps_in_control": risk.gapsInControl, "gaps_in_assurance": risk.gapsInAssurance],
                      existing: risk)
    }

    static func update(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let risk = try await context.register.find(try req.riskReference)
        try context.requireChange(risk)
        let input = try req.content.decode(RiskDraft.Input.self)
        let extra = (try? req.content.decode([String: String].self)) ?? [:]
        do {
            _ = try await context.register.update(risk, input, rationale: extra["rationale"] ?? "", gapsInControl: extra["gaps_in_control"] ?? "",
                                                  gapsInAssurance: extra["gaps_in_assurance"] ?? "")
            return req.redirect(to: SiteURL.risk(context.organisation.odsCode, risk.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return render(context, input: input, extra: extra, existing: risk, problems: error.problems, status: error.status)
        }
    }

    static func render(_ context: RiskContext, input: RiskDraft.Input, extra: [String: String], existing: Risk?,
                       problems: [AssureError.FieldProblem] = [], status: HTTPResponseStatus = .ok) -> Response {
        let code = context.organisation.odsCode
        let title = existing.map { "Edit \($0.reference)" } ?? "Add a risk"
        var crumbs: [PageShell.Breadcrumb] = [.init(title: "Risk register", url: .risks(code))]
        if let existing { crumbs.append(.init(title: existing.reference, url: .risk(code, existing.reference))) }
        func text(_ id: String, _ label: String, _ hint: String? = nil) -> Node<HTML.FormContext> {
            Components.textField(.init(id: id, label: label, hint: hint, value: input[id] ?? "", error: problems.message(for: id)))
        }
        func area(_ id: String, _ label: String, _ hint: String) -> Node<HTML.FormContext> {
            Components.textArea(.init(id: id, label: label, hint: hint, value: input[id] ?? extra[id] ?? "", error: problems.message(for: id)), rows: 3)
        }
        func rating(_ stage: String, _ legend: String, _ hint: String) -> Node<HTML.FormContext> {
            .fieldset(.class("fieldset"),
                      .element(named: "legend", nodes: [.class("fieldset__legend"), .text(legend)]),
                      .p(.class("hint"), .text(hint)),
                      .div(.class("inline-form"),
                           Components.selectField(.init(id: "\(stage)_likelihood", label: "Likelihood", value: input["\(stage)_likelihood"] ?? "", error: problems.message(for: "\(stage)_likelihood")),
                                                  options: [("", "Choose")] + context.matrix.likelihood.map { (String($0.score), "\($0.score) \($0.label)") }),
                           Components.selectField(.init(id: "\(stage)_consequence", label: "Consequence", value: input["\(stage)_consequence"] ?? "", error: problems.message(for: "\(stage)_consequence")),
                                                  options: [("", "Choose")] + context.matrix.consequence.map { (String($0.score), "\($0.score) \($0.label)") })))
        }
        let fieldIDs: Set<String> = Set(RiskDraft.Input.fields + ["rationale", "gaps_in_control", "gaps_in_assurance"])
        let action = existing.map { SiteURL.riskAction(code, $0.reference, .edit) } ?? .newRisk(code)
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: fieldIDs),
            .h1(.text(title)),
            .p(.class("lede"), .text("Describe the risk as cause, event and effect, and score it on the \(context.matrix.name).")),
            .form(
                .method(.post), .action(action.path), .attribute(named: "novalidate"),
                Components.csrfField(),
                text("title", "Title", "A short name the board will recognise"),
                area("cause", "Cause", "Because of … (the source of the risk)"),
                area("event", "Event", "there is a risk that … (what could happen)"),
                area("effect", "Effect", "which would lead to … (the impact on patients, services or the organisation)"),
                Components.selectField(.init(id: "category", label: "Category", value: input.category ?? "", error: problems.message(for: "category")),
                                       options: [("", "Choose a category")] + RiskCategory.allCases.map { ($0.rawValue, $0.displayName) }),
                text("owner", "Owner", "Email address of the person accountable for the risk; they need a role here"),
                text("handler", "Handler (optional)", "Email address of the person managing it day to day"),
                text("department", "Directorate or department (optional)"),
                text("objective", "Strategic objective (optional)", "The objective this risk threatens, for the Board Assurance Framework"),
                text("source_reference", "Source reference (optional)", "For example a Datix id or audit finding"),
                Components.dateField(.init(id: "opened", label: "Opened", value: input.opened ?? "", error: problems.message(for: "opened"), width: "field--short")),
                Components.selectField(.init(id: "status", label: "Status", value: input.status ?? "open", error: problems.message(for: "status")),
                                       options: RiskStatus.allCases.map { ($0.rawValue, $0.displayName) }),
                rating("initial", "Initial score", "Before any controls"),
                rating("current", "Current score", "With the controls in place today"),
                rating("target", "Target score", "What the actions aim for; within appetite"),
                .if(existing != nil, .group(
                    Components.textArea(.init(id: "gaps_in_control", label: "Gaps in control", hint: "Where controls are missing or do not work",
                                              value: extra["gaps_in_control"] ?? "", error: problems.message(for: "gaps_in_control")), rows: 3),
                    Components.textArea(.init(id: "gaps_in_assurance", label: "Gaps in assurance", hint: "Where there is no evidence that controls work",
                                              value: extra["gaps_in_assurance"] ?? "", error: problems.message(for: "gaps_in_assurance")), rows: 3),
                    Components.textArea(.init(id: "rationale", label: "Why the current score changed (if it did)", value: extra["rationale"] ?? "",
                                              error: problems.message(for: "rationale")), rows: 2)
                )),
                .button(.type(.submit), .class("button"), .text(existing == nil ? "Add risk" : "Save changes"))
            )
        )
        return Layout.response(context.shell(title, problems: !problems.isEmpty, crumbs: crumbs), status: status, content)
    }
}
