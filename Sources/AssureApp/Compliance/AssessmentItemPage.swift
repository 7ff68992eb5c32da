import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/assessments/A1/items/A2.a`: one item's result and review, its evidence,
/// and the same requirement in other frameworks with their results and evidence (comply once).
enum AssessmentItemPage {
    /// The item in the address, through the assessments service the API uses too.
    static func load(_ req: Request, _ context: OrganisationContext) async throws -> Assessments.LoadedItem {
        try await req.assessments(context).item(try req.assessmentItem, in: try req.assessmentReference)
    }

    static func show(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        return try await render(req, context, try await load(req, context), input: nil, problems: [])
    }

    static func record(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let loaded = try await load(req, context)
        try req.assessments(context).requireEdit(loaded)
        let input = try req.content.decode(Assessments.ResultInput.self)
        do {
            try await req.assessments(context).record(input, item: loaded.item.id, in: loaded.assessment, by: context.actor, mayApprove: context.may(.approve))
            return req.redirect(to: SiteURL.assessment(context.organisation.odsCode, loaded.assessment.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(req, context, loaded, input: input, problems: error.problems, status: error.status)
        }
    }

    static func attach(req: Request) async throws -> Response {
        try await change(req) { library, evidence, loaded in
            try await library.attach(evidence, to: loaded.assessment, item: loaded.item.id, catalogue: loaded.catalogue)
        }
    }

    static func detach(req: Request) async throws -> Response {
        try await change(req) { library, evidence, loaded in
            try await library.detach(evidence, from: loaded.assessment, item: loaded.item.id)
        }
    }

    private static func change(_ req: Request, _ work: (EvidenceLibrary, Evidence, Assessments.LoadedItem) async throws -> Void) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let loaded = try await load(req, context)
        try req.assessments(context).requireEdit(loaded)
        let library = req.evidenceLibrary(context)
        do {
            let reference = (try req.content.decode(EvidenceLibrary.Choice.self).evidence ?? "").trimmingCharacters(in: .whitespaces)
            guard !reference.isEmpty, let evidence = try? await library.find(reference) else {
                throw AssureError.invalid([RuleError(field: "evidence", message: "Choose evidence from \(context.organisation.name)'s library, for example E12")])
            }
            try await work(library, evidence, loaded)
            return req.redirect(to: SiteURL.assessmentItem(context.organisation.odsCode, loaded.assessment.reference, loaded.item.id).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(req, context, loaded, input: nil, problems: error.problems, status: error.status)
        }
    }

    static func render(_ req: Request, _ context: OrganisationContext, _ loaded: Assessments.LoadedItem, input: Assessments.ResultInput?,
                       problems: [AssureError.FieldProblem], status: HTTPResponseStatus = .ok) async throws -> Response {
        let code = context.organisation.odsCode
        let (assessment, catalogue, item, result) = (loaded.assessment, loaded.catalogue, loaded.item, loaded.result)
        let editable = req.assessments(context).mayEdit(loaded)
        let attached = try await EvidenceAttachment.query(on: req.db).filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item.id)
            .with(\.$evidence).all().map(\.evidence)
        let mapped = try await AssessmentView.mappedResults(catalogue, organisation: context.organisation.id, frameworks: req.frameworks, on: req.db)[item.id] ?? []
        // Evidence already attached to the same requirement elsewhere: one click to reuse it here.
        let mappedItems = Set(mapped.compactMap { entry in entry.assessment?.id.map { "\($0) \(entry.item)" } })
        let mappedAssessments = Array(Set(mapped.compactMap { $0.assessment?.id }))
        var reusable = mappedAssessments.isEmpty ? [] : try await EvidenceAttachment.query(on: req.db).filter(\.$assessment.$id ~~ mappedAssessments)
            .filter(\.$itemID ~~ Array(Set(mapped.map(\.item)))).with(\.$evidence).all()
            .filter { mappedItems.contains("\($0.$assessment.id) \($0.itemID)") }.map(\.evidence)
        let attachedIDs = Set(attached.compactMap(\.id))
        reusable = Dictionary(reusable.filter { !attachedIDs.contains($0.id ?? UUID()) }.map { ($0.id ?? UUID(), $0) }, uniquingKeysWith: { a, _ in a })
            .values.sorted { $0.number < $1.number }
        let library = try await Evidence.query(on: req.db).filter(\.$organisation.$id == context.organisation.id).sort(\.$number, .descending).limit(300).all()
            .filter { !attachedIDs.contains($0.id ?? UUID()) }
        let checks = AutomatedCheck.checks(for: item.id, in: catalogue.id)
        let itemURL = SiteURL.assessmentItem(code, assessment.reference, item.id)
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["level", "target", "rationale", "owner", "status", "evidence"]),
            .span(.class("caption"), .text("\(catalogue.title) \(catalogue.version) · \(assessment.period)")),
            .h1(.text("\(item.id) \(item.title)")),
            .if(!checks.isEmpty, .p(.span(.class("tag tag--green"), .text("Checked by Assure")),
                                    .text(" \(checks.map(\.title).joined(separator: ", ")): run the checks from the assessment page."))),
            Components.summaryList([
                ("Allowed results", .text(item.levels.map(catalogue.label(of:)).joined(separator: ", "))),
                ("Mandatory", .text(item.mandatory ? "Yes" : "No")),
                ("Result", .text(result?.level.map(catalogue.label(of:)) ?? "Not assessed")),
                ("Target", .text(assessment.targets[item.id].map(catalogue.label(of:)) ?? "None set")),
                ("Status", .text(result?.itemStatus.displayName ?? "Not started")),
                ("Owner", .text(result?.ownerEmail ?? "—")),
                ("Approved by", .text(result?.reviewerEmail ?? "—")),
                ("Rationale", .text(result?.rationale.isEmpty == false ? result!.rationale : "—")),
            ]),
            .h2(.class("heading-m"), .text("Evidence")),
            attached.isEmpty
                ? .p(.text("No evidence is attached yet."))
                : evidenceTable(context, attached, caption: "Evidence for \(item.id)", remove: editable ? SiteURL.assessmentItemEvidenceRemove(code, assessment.reference, item.id) : nil),
            .if(editable, .form(
                .class("panel"), .method(.post), .action(SiteURL.assessmentItemEvidence(code, assessment.reference, item.id).path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Attach evidence")),
                .p(.text("Evidence is kept once in the "), .a(.href(SiteURL.evidenceLibrary(code).path), .text("evidence library")),
                   .text(" and can support any number of items, in any framework and period.")),
                Components.csrfField(),
                Components.selectField(.init(id: "evidence", label: "Evidence", value: "", error: problems.message(for: "evidence")),
                                       options: [("", library.isEmpty ? "The library is empty: add evidence first" : "Choose evidence")]
                                           + library.map { ($0.reference, "\($0.reference) \($0.title)") }),
                .button(.type(.submit), .class("button"), .text("Attach"))
            )),
            .h2(.class("heading-m"), .text("The same requirement in other frameworks")),
            mapped.isEmpty
                ? .p(.text("No mapping links \(item.id) to another framework."))
                : Components.scrollableTable(label: "Mapped items", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Framework")), .th(.text("Item")), .th(.text("Relationship")), .th(.text("Result there")), .th(.text("Note")))),
                    .tbody(.forEach(mapped) { entry in
                        .tr(.td(.text("\(entry.catalogue.title) \(entry.catalogue.version)")),
                            .td(entry.assessment.map { other -> Node<HTML.BodyContext> in
                                .a(.href(SiteURL.assessmentItem(code, other.reference, entry.item).path), .text("\(entry.item) (\(other.reference) \(other.period))"))
                            } ?? .text(entry.item)),
                            .td(.text(entry.relationship.displayName)),
                            .td(.text(entry.result?.level.map(entry.catalogue.label(of:)) ?? (entry.assessment == nil ? "Not assessed in \(context.organisation.name)" : "No result yet"))),
                            .td(.text(entry.note.isEmpty ? "—" : entry.note)))
                    }))),
            .if(editable && !reusable.isEmpty, .group(
                .h2(.class("heading-m"), .text("Evidence on mapped items")),
                .ul(.class("list"), .forEach(reusable) { evidence in
                    .li(.form(.method(.post), .action(SiteURL.assessmentItemEvidence(code, assessment.reference, item.id).path), .class("inline-form"),
                              Components.csrfField(), .input(.type(.hidden), .name("evidence"), .value(evidence.reference)),
                              .text("\(evidence.reference) \(evidence.title) "),
                              .button(.type(.submit), .class("button button--small"), .text("Attach here"),
                                      .attribute(named: "aria-label", value: "Attach \(evidence.reference) here"))))
                })
            )),
            .if(editable, resultForm(itemURL, catalogue, item, assessment, result, input, problems))
        )
        let shell = context.shell("\(item.id) \(item.title)", problems: !problems.isEmpty,
                                  crumbs: [.init(title: "Compliance", url: .assessments(code)), .init(title: assessment.reference, url: .assessment(code, assessment.reference))], section: .compliance)
        return Layout.response(shell, status: status, content)
    }

    static func resultForm(_ url: SiteURL, _ catalogue: FrameworkCatalogue, _ item: FrameworkCatalogue.Item, _ assessment: Assessment, _ result: AssessmentResult?,
                           _ input: Assessments.ResultInput?, _ problems: [AssureError.FieldProblem]) -> Node<HTML.BodyContext> {
        .form(
            .class("panel"), .method(.post), .action(url.path), .attribute(named: "novalidate"),
            .h2(.class("heading-m"), .text("Record the result")),
            Components.csrfField(),
            .if(!item.indicators.isEmpty, indicatorChecklist(catalogue, item, ticked: input?.indicators.map(Set.init) ?? result?.ticked ?? [])),
            Components.selectField(.init(id: "level", label: item.indicators.isEmpty ? "Result" : "Result (graded from the indicators when they are ticked)", value: input?.level ?? result?.level ?? "", error: problems.message(for: "level")),
                                   options: [("", "Not assessed")] + item.levels.map { ($0, catalogue.label(of: $0)) }),
            Components.selectField(.init(id: "target", label: "Target", value: input?.target ?? assessment.targets[item.id] ?? "", error: problems.message(for: "target")),
                                   options: [("", "No target")] + item.levels.map { ($0, catalogue.label(of: $0)) }),
            Components.textArea(.init(id: "rationale", label: "Rationale", hint: "What the evidence shows", value: input?.rationale ?? result?.rationale ?? "",
                                      error: problems.message(for: "rationale"))),
            Components.textField(.init(id: "owner", label: "Owner (optional)", value: input?.owner ?? result?.ownerEmail ?? "", error: problems.message(for: "owner"))),
            Components.selectField(.init(id: "status", label: "Status", value: input?.status ?? result?.status ?? AssessmentItemStatus.inProgress.rawValue,
                                         error: problems.message(for: "status")), options: AssessmentItemStatus.allCases.map { ($0.rawValue, $0.displayName) }),
            .button(.type(.submit), .class("button"), .text("Save result"))
        )
    }

    /// The item's indicators of good practice by column; the result is graded from those ticked
    /// (any in the lowest column gives the lowest level; otherwise the highest column ticked in full).
    static func indicatorChecklist(_ catalogue: FrameworkCatalogue, _ item: FrameworkCatalogue.Item, ticked: Set<String>) -> Node<HTML.FormContext> {
        .element(named: "fieldset", nodes: [
            .class("fieldset"),
            .element(named: "legend", nodes: [.class("label"), .text("Indicators of good practice")]),
            .div(.class("hint"), .text("Tick each statement that is true. Any in the \(catalogue.label(of: item.levels.first ?? "")) column grades the item \(catalogue.label(of: item.levels.first ?? "")); otherwise the highest column ticked in full sets the result.")),
            .input(.type(.hidden), .name("indicators[]"), .value("")),
            .group(item.levels.reversed().compactMap { level -> Node<HTML.BodyContext>? in
                let column = item.indicators.filter { $0.level == level }
                guard !column.isEmpty else { return nil }
                return .group(.h3(.class("heading-s"), .text(catalogue.label(of: level))),
                              .forEach(column) { indicator in
                                  .div(.class("checkbox"),
                                       .input(.type(.checkbox), .id("indicator-\(indicator.id)"), .name("indicators[]"), .value(indicator.id),
                                              .checked(ticked.contains(indicator.id))),
                                       .label(.for("indicator-\(indicator.id)"), .text("\(indicator.id) \(indicator.title)")))
                              })
            }),
        ])
    }

    /// Evidence as a table: reference, title, kind, review date with its currency, approval; with a
    /// remove button per row when `remove` is given.
    static func evidenceTable(_ context: OrganisationContext, _ evidence: [Evidence], caption: String, remove: SiteURL?) -> Node<HTML.BodyContext> {
        let code = context.organisation.odsCode
        return Components.scrollableTable(label: caption, .table(
            .class("table"),
            .thead(.tr(.th(.text("Evidence")), .th(.text("Kind")), .th(.text("Review by")), .th(.text("Approval")), .if(remove != nil, .th(.text("Remove"))))),
            .tbody(.forEach(evidence) { evidence in
                let currency = evidence.currency(on: context.today)
                return .tr(
                    .td(.a(.href(SiteURL.evidence(code, evidence.reference).path), .text("\(evidence.reference) \(evidence.title)"))),
                    .td(.text(evidence.evidenceKind.displayName)),
                    .td(.span(.class("nowrap"), .text(evidence.reviewBy.map(CalendarDay.nhsStyle) ?? "—")), Components.evidenceCurrency(currency)),
                    .td(.text(evidence.approvalStatus.displayName)),
                    .unwrap(remove) { url in
                        .td(.form(.method(.post), .action(url.path), Components.csrfField(), .input(.type(.hidden), .name("evidence"), .value(evidence.reference)),
                                  .button(.type(.submit), .class("button button--small button--secondary"), .text("Remove"),
                                          .attribute(named: "aria-label", value: "Remove \(evidence.reference)"))))
                    })
            })))
    }
}
