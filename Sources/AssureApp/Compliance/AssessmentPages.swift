import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/assessments`: an organisation's self-assessments (DSPT, CAF, Cyber
/// Essentials, DTAC…), each page listing every item with its result, status and target, the
/// gaps to target and, for the DSPT on the NDG standards, the status it rolls up to.
enum AssessmentPages {
    static func list(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        return try await renderList(req, context, input: .init(final_due: "2026-06-30", profile: ""), problems: [])
    }

    static func start(req: Request) async throws -> Response {
        let context = try await req.riskContext(.editAnyRecord)
        let input = try req.content.decode(Assessments.StartInput.self)
        do {
            let assessment = try await Assessments(register: context.register).start(input)
            return req.redirect(to: SiteURL.assessment(context.organisation.odsCode, assessment.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await renderList(req, context, input: input, problems: error.problems, status: error.status)
        }
    }

    static func renderList(_ req: Request, _ context: RiskContext, input: Assessments.StartInput, problems: [AssureError.FieldProblem],
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let code = context.organisation.odsCode
        let assessments = try await Assessment.query(on: req.db).filter(\.$organisation.$id == context.organisation.id).sort(\.$number, .descending).all()
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["framework", "period", "interim_due", "final_due", "profile"]),
            .h1(.text("Compliance assessments")),
            .p(.class("lede"), .text("\(context.organisation.name)'s self-assessments against the DSPT, the NCSC CAF, Cyber Essentials, DTAC and the NHS Service Standard.")),
            assessments.isEmpty
                ? Components.emptyState(title: "No assessments yet", message: "Start one below, for example the DSPT for this year.", actions: [])
                : Components.scrollableTable(label: "Assessments", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Assessment")), .th(.text("Framework")), .th(.text("Period")), .th(.text("Final deadline")))),
                    .tbody(.forEach(assessments) { assessment in
                        .tr(.td(.a(.href(SiteURL.assessment(code, assessment.reference).path), .text(assessment.reference))),
                            .td(.text("\(assessment.catalogue?.title ?? assessment.frameworkID) \(assessment.frameworkVersion)")),
                            .td(.text(assessment.period)), .td(.span(.class("nowrap"), .text(assessment.finalDue))))
                    }))),
            .if(context.may(.editAnyRecord), .form(
                .class("panel"), .method(.post), .action(SiteURL.assessments(code).path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Start an assessment")),
                Components.csrfField(),
                Components.selectField(.init(id: "framework", label: "Framework", value: input.framework ?? "", error: problems.message(for: "framework")),
                                       options: [("", "Choose a framework")] + ShippedCatalogues.all.map { ($0.key, "\($0.title) \($0.version)\($0.unverified ? " (some details unverified)" : "")") }),
                Components.textField(.init(id: "period", label: "Period", hint: "For example 2025-26", value: input.period ?? "", error: problems.message(for: "period"), width: "field--short")),
                Components.dateField(.init(id: "interim_due", label: "Interim deadline (optional)", value: input.interim_due ?? "", error: problems.message(for: "interim_due"), width: "field--short")),
                Components.dateField(.init(id: "final_due", label: "Final deadline", value: input.final_due ?? "", error: problems.message(for: "final_due"), width: "field--short")),
                Components.textField(.init(id: "profile", label: "Target profile (optional)", hint: "A profile the framework ships, for example govassure-baseline",
                                           value: input.profile ?? "", error: problems.message(for: "profile"), width: "field--medium")),
                .button(.type(.submit), .class("button"), .text("Start assessment"))
            ))
        )
        return Layout.response(context.shell("Compliance assessments", problems: !problems.isEmpty).with(section: .compliance), status: status, content)
    }

    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let assessment = try await Assessments(register: context.register).find(try req.assessmentReference)
        guard let catalogue = assessment.catalogue else { throw AssureError.notFound("The framework of \(assessment.reference) is no longer shipped") }
        let results = Dictionary(uniqueKeysWithValues: try await AssessmentResult.query(on: req.db).filter(\.$assessment.$id == assessment.requireID()).all().map { ($0.itemID, $0) })
        let targets = assessment.targets
        let code = context.organisation.odsCode
        let items = catalogue.items
        let gaps = items.filter { item in targets[item.id].map { catalogue.isBelow(results[item.id]?.level, target: $0) } ?? false }
        let mandatoryShort = items.filter { $0.mandatory && results[$0.id]?.level.map { $0 == catalogue.levels.last?.id } != true }
        let counts = catalogue.levels.map { level in (level, items.filter { results[$0.id]?.level == level.id }.count) }
        let rollUp: DSPTStatus? = catalogue.id == "dspt-ndg"
            ? DSPTStatus.rollUp(items.map { ($0.mandatory, results[$0.id]?.level == "met") }) : nil
        let content: Node<HTML.BodyContext> = .group(
            .span(.class("caption"), .text("\(assessment.reference) · \(catalogue.publisher)")),
            .h1(.text("\(catalogue.title) \(catalogue.version): \(assessment.period)")),
            .p(.class("lede"), .text("Final deadline \(assessment.finalDue)\(assessment.interimDue.map { ", interim \($0)" } ?? ""). \(catalogue.licence)")),
            .if(catalogue.unverified, .p(.span(.class("tag"), .text("Some details of this catalogue are unverified")), .text(" Items marked unverified come from secondary sources."))),
            .ul(.class("card-grid"),
                .li(.class("card"), .h2(.class("card__title"), .text("Items")), .p(.class("card__figure"), .text("\(results.values.filter { $0.level != nil }.count) / \(items.count)")),
                    .p(.text("with a result"))),
                .li(.class("card"), .h2(.class("card__title"), .text("Below target")), .p(.class("card__figure"), .text(String(gaps.count))),
                    .p(.text(targets.isEmpty ? "no targets set" : "of \(targets.count) with a target"))),
                .li(.class("card"), .h2(.class("card__title"), .text("Mandatory not yet met")), .p(.class("card__figure"), .text(String(mandatoryShort.count))),
                    .p(.text("of \(items.filter(\.mandatory).count) mandatory"))),
                .unwrap(rollUp) { status in .li(.class("card"), .h2(.class("card__title"), .text("DSPT status")), .p(.class("card__figure card__figure--text"), .text(status.displayName))) }),
            .p(.text(counts.map { "\($0.0.label): \($0.1)" }.joined(separator: " · "))),
            .h2(.class("heading-m"), .text("Items")),
            Components.scrollableTable(label: "Items", .table(
                .class("table"),
                .thead(.tr(.th(.text("Item")), .th(.text("Result")), .th(.text("Target")), .th(.text("Status")), .th(.text("Owner")))),
                .tbody(.forEach(items) { item in
                    let result = results[item.id]
                    let below = targets[item.id].map { catalogue.isBelow(result?.level, target: $0) } ?? false
                    return .tr(
                        .td(.a(.href(SiteURL.assessmentItem(code, assessment.reference, item.id).path), .text("\(item.id) \(item.title)")),
                            .if(item.mandatory, .span(.class("tag"), .text("Mandatory"))), .if(item.unverified, .span(.class("tag tag--grey"), .text("Unverified")))),
                        .td(.text(result?.level.map(catalogue.label(of:)) ?? "Not assessed")),
                        .td(.text(targets[item.id].map(catalogue.label(of:)) ?? "—"), .if(below, .span(.class("tag tag--red"), .text("Below target")))),
                        .td(.text(result?.itemStatus.displayName ?? "Not started")),
                        .td(.text(result?.ownerEmail ?? "—")))
                })))
        )
        let shell = context.shell("\(catalogue.title) \(assessment.period)", crumbs: [.init(title: "Compliance", url: .assessments(code))]).with(section: .compliance)
        return Layout.response(shell, content)
    }

    static func item(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let assessment = try await Assessments(register: context.register).find(try req.assessmentReference)
        return try await renderItem(req, context, assessment, itemID: try req.assessmentItem, input: nil, problems: [])
    }

    static func record(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let assessment = try await Assessments(register: context.register).find(try req.assessmentReference)
        let itemID = try req.assessmentItem
        let existing = try await AssessmentResult.query(on: req.db).filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == itemID).first()
        // Managers record any result; contributors the ones they own.
        guard context.may(.editAnyRecord) || (context.may(.editOwnRecord) && existing?.ownerEmail == context.identity.email) else {
            throw AssureError(status: .forbidden, title: "Not permitted", detail: "Only a manager, or the item's owner, may record this result.")
        }
        let input = try req.content.decode(Assessments.ResultInput.self)
        do {
            try await Assessments(register: context.register).record(input, item: itemID, in: assessment, by: context.identity, mayApprove: context.may(.approve))
            return req.redirect(to: SiteURL.assessment(context.organisation.odsCode, assessment.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await renderItem(req, context, assessment, itemID: itemID, input: input, problems: error.problems, status: error.status)
        }
    }

    static func renderItem(_ req: Request, _ context: RiskContext, _ assessment: Assessment, itemID: String, input: Assessments.ResultInput?,
                           problems: [AssureError.FieldProblem], status: HTTPResponseStatus = .ok) async throws -> Response {
        guard let catalogue = assessment.catalogue, let item = catalogue.items.first(where: { $0.id == itemID }) else {
            throw AssureError.notFound("This assessment has no item \(itemID)")
        }
        let code = context.organisation.odsCode
        let result = try await AssessmentResult.query(on: req.db).filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item.id).first()
        let editable = context.may(.editAnyRecord) || (context.may(.editOwnRecord) && result?.ownerEmail == context.identity.email)
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["level", "target", "rationale", "owner", "status"]),
            .span(.class("caption"), .text("\(catalogue.title) \(catalogue.version) · \(assessment.period)")),
            .h1(.text("\(item.id) \(item.title)")),
            Components.summaryList([
                ("Allowed results", .text(item.levels.map(catalogue.label(of:)).joined(separator: ", "))),
                ("Mandatory", .text(item.mandatory ? "Yes" : "No")),
                ("Result", .text(result?.level.map(catalogue.label(of:)) ?? "Not assessed")),
                ("Target", .text(assessment.targets[item.id].map(catalogue.label(of:)) ?? "None set")),
                ("Status", .text(result?.itemStatus.displayName ?? "Not started")),
                ("Approved by", .text(result?.reviewerEmail ?? "—")),
                ("Rationale", .text(result?.rationale.isEmpty == false ? result!.rationale : "—")),
            ]),
            .if(editable, .form(
                .class("panel"), .method(.post), .action(SiteURL.assessmentItem(code, assessment.reference, item.id).path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Record the result")),
                Components.csrfField(),
                Components.selectField(.init(id: "level", label: "Result", value: input?.level ?? result?.level ?? "", error: problems.message(for: "level")),
                                       options: [("", "Not assessed")] + item.levels.map { ($0, catalogue.label(of: $0)) }),
                Components.selectField(.init(id: "target", label: "Target", value: input?.target ?? assessment.targets[item.id] ?? "", error: problems.message(for: "target")),
                                       options: [("", "No target")] + item.levels.map { ($0, catalogue.label(of: $0)) }),
                Components.textArea(.init(id: "rationale", label: "Rationale", hint: "What the evidence shows", value: input?.rationale ?? result?.rationale ?? "",
                                          error: problems.message(for: "rationale"))),
                Components.textField(.init(id: "owner", label: "Owner (optional)", value: input?.owner ?? result?.ownerEmail ?? "", error: problems.message(for: "owner"))),
                Components.selectField(.init(id: "status", label: "Status", value: input?.status ?? result?.status ?? AssessmentItemStatus.inProgress.rawValue,
                                             error: problems.message(for: "status")), options: AssessmentItemStatus.allCases.map { ($0.rawValue, $0.displayName) }),
                .button(.type(.submit), .class("button"), .text("Save result"))
            ))
        )
        let shell = context.shell("\(item.id) \(item.title)", problems: !problems.isEmpty,
                                  crumbs: [.init(title: "Compliance", url: .assessments(code)), .init(title: assessment.reference, url: .assessment(code, assessment.reference))])
            .with(section: .compliance)
        return Layout.response(shell, status: status, content)
    }
}

struct AssessmentRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.assessments(SiteURL.code).pathComponents, use: AssessmentPages.list)
        routes.post(SiteURL.assessments(SiteURL.code).pathComponents, use: AssessmentPages.start)
        routes.get(SiteURL.assessment(SiteURL.code, SiteURL.assessmentReference).pathComponents, use: AssessmentPages.show)
        routes.get(SiteURL.assessmentItem(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID).pathComponents, use: AssessmentPages.item)
        routes.post(SiteURL.assessmentItem(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID).pathComponents, use: AssessmentPages.record)
    }
}

extension Request {
    var assessmentReference: String {
        get throws {
            guard let value = parameters.get(String(SiteURL.assessmentReference.dropFirst())) else { throw Abort(.notFound) }
            return value
        }
    }

    var assessmentItem: String {
        get throws {
            guard let value = parameters.get(String(SiteURL.assessmentItemID.dropFirst())) else { throw Abort(.notFound) }
            return value
        }
    }
}
