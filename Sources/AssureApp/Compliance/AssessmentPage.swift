import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/assessments/A1`: every item with its result, target, evidence count and
/// the results of mapped items in other frameworks; the gaps to target; and the checks Assure runs.
enum AssessmentPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let assessment = try await req.assessments(context).find(try req.assessmentReference)
        let view = try await AssessmentView.load(assessment, frameworks: req.frameworks, today: context.today, on: req.db)
        return Layout.response(shell(context, view), render(view, code: context.organisation.odsCode, mayRunChecks: context.may(.editAnyRecord), ran: nil))
    }

    static func runChecks(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        let assessments = req.assessments(context)
        let assessment = try await assessments.find(try req.assessmentReference)
        let ran = try await AutomatedCheckRunner(assessments: assessments, evidence: req.evidenceLibrary(context)).run(on: assessment)
        let view = try await AssessmentView.load(assessment, frameworks: req.frameworks, today: context.today, on: req.db)
        return Layout.response(shell(context, view), render(view, code: context.organisation.odsCode, mayRunChecks: true, ran: ran))
    }

    static func shell(_ context: OrganisationContext, _ view: AssessmentView) -> PageShell {
        context.shell("\(view.catalogue.title) \(view.assessment.period)", crumbs: [.init(title: "Compliance", url: .assessments(context.organisation.odsCode))], section: .compliance)
    }

    /// The page from what `AssessmentView.load` read; pure, so tests render it from a hand-built view.
    static func render(_ view: AssessmentView, code: String, mayRunChecks: Bool, ran: [AutomatedCheckRunner.Ran]?) -> Node<HTML.BodyContext> {
        let assessment = view.assessment, catalogue = view.catalogue
        let automated = catalogue.items.filter { !AutomatedCheck.checks(for: $0.id, in: catalogue.id).isEmpty }
        return .group(
            .unwrap(ran) { ran in
                Components.notice(title: ran.isEmpty ? "No automated checks apply" : "Assure checked \(Words.count(ran.count, "item"))",
                                  .ul(.forEach(ran) { entry in
                                      .li(.text("\(entry.item): \(entry.figure). "), .text(entry.recorded ? "Recorded for review." : "The approved result was left as it is; the evidence is attached."))
                                  }))
            },
            .span(.class("caption"), .text("\(assessment.reference) · \(catalogue.publisher)")),
            .h1(.text("\(catalogue.title) \(catalogue.version): \(assessment.period)")),
            .p(.class("lede"), .text("Final deadline \(CalendarDay.nhsStyle(assessment.finalDue))\(assessment.interimDue.map { ", interim \(CalendarDay.nhsStyle($0))" } ?? ""). \(catalogue.licence)")),
            .if(catalogue.unverified, .p(.span(.class("tag"), .text("Some details of this catalogue are unverified")), .text(" Items marked unverified come from secondary sources."))),
            .ul(.class("card-grid"),
                card("Items with a result", "\(view.assessed) / \(view.items.count)", "assessed so far"),
                card("Below target", String(view.gaps.count), view.targets.isEmpty ? "no targets set" : "of \(view.targets.count) with a target"),
                card("Mandatory not yet met", String(view.mandatoryNotMet.count), "of \(view.items.filter(\.mandatory).count) mandatory"),
                .unwrap(view.dsptStatus) { status in
                    .li(.class("card"), .h2(.class("card__title"), .text("DSPT status")), .p(.class("card__figure card__figure--text"), .text(status.displayName)))
                }),
            .p(.text(view.counts.map { "\($0.level.label): \($0.count)" }.joined(separator: " · "))),
            .p(.class("button-group"),
               .a(.class("button button--secondary"), .href(SiteURL.assessmentReport(code, assessment.reference).path), .text("Summary report")),
               .a(.class("button button--secondary"), .href(SiteURL.assessmentCSV(code, assessment.reference).path), .text("Download CSV")),
               .a(.class("button button--secondary"), .href(SiteURL.assessmentOSCAL(code, assessment.reference).path), .text("OSCAL assessment results"))),
            .if(!automated.isEmpty && mayRunChecks, .form(
                .class("panel"), .method(.post), .action(SiteURL.assessmentChecks(code, assessment.reference).path),
                .h2(.class("heading-m"), .text("Checks Assure runs")),
                .p(.text("Assure answers \(automated.map(\.id).joined(separator: ", ")) from its own records, keeps the figure as evidence and records the result for review.")),
                Components.csrfField(),
                .button(.type(.submit), .class("button button--secondary"), .text("Run automated checks"))
            )),
            .h2(.class("heading-m"), .text("Items")),
            Components.scrollableTable(label: "Items", .table(
                .class("table"),
                .thead(.tr(.th(.text("Item")), .th(.text("Result")), .th(.text("Target")), .th(.text("Status")), .th(.text("Evidence")),
                           .th(.text("In other frameworks")))),
                .tbody(.forEach(view.items) { item in row(code, view, item) })))
        )
    }

    static func card(_ title: String, _ figure: String, _ caption: String) -> Node<HTML.ListContext> {
        .li(.class("card"), .h2(.class("card__title"), .text(title)), .p(.class("card__figure"), .text(figure)), .p(.text(caption)))
    }

    static func row(_ code: String, _ view: AssessmentView, _ item: FrameworkCatalogue.Item) -> Node<HTML.TableContext> {
        let result = view.results[item.id], catalogue = view.catalogue
        let below = view.targets[item.id].map { catalogue.isBelow(result?.level, target: $0) } ?? false
        let evidence = view.evidenceCounts[item.id] ?? 0, expired = view.expiredEvidence[item.id] ?? 0
        return .tr(
            .td(.a(.href(SiteURL.assessmentItem(code, view.assessment.reference, item.id).path), .text("\(item.id) \(item.title)")),
                .if(item.mandatory, .span(.class("tag"), .text("Mandatory"))), .if(item.unverified, .span(.class("tag tag--grey"), .text("Unverified"))),
                .if(!AutomatedCheck.checks(for: item.id, in: catalogue.id).isEmpty, .span(.class("tag tag--green"), .text("Checked by Assure")))),
            .td(.text(result?.level.map(catalogue.label(of:)) ?? "Not assessed")),
            .td(.text(view.targets[item.id].map(catalogue.label(of:)) ?? "—"), .if(below, .span(.class("tag tag--red"), .text("Below target")))),
            .td(.text(result?.itemStatus.displayName ?? "Not started")),
            .td(.text(String(evidence)), .if(expired > 0, .span(.class("tag tag--red"), .text("\(expired) expired")))),
            .td(.text((view.mapped[item.id] ?? []).map { mapped in
                "\(mapped.catalogue.id) \(mapped.catalogue.version) \(mapped.item): \(mapped.result?.level.map(mapped.catalogue.label(of:)) ?? (mapped.assessment == nil ? "not assessed here" : "no result"))"
            }.joined(separator: "; ").nonEmpty ?? "—"))
        )
    }
}

