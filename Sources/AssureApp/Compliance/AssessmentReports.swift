import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// An assessment as a printable summary for the board or audit committee, as CSV for spreadsheets,
/// and as OSCAL assessment results for other tools.
enum AssessmentReports {
    static func load(_ req: Request) async throws -> (OrganisationContext, AssessmentView) {
        let context = try await req.organisationContext(.read)
        let assessment = try await req.assessments(context).find(try req.assessmentReference)
        return (context, try await AssessmentView.load(assessment, frameworks: req.frameworks, today: context.today, on: req.db))
    }

    /// The evidence attached to each item of the assessment.
    static func evidence(of view: AssessmentView, on db: any Database) async throws -> [String: [Evidence]] {
        let attachments = try await EvidenceAttachment.query(on: db).filter(\.$assessment.$id == view.assessment.requireID()).with(\.$evidence).all()
        return Dictionary(grouping: attachments, by: \.itemID).mapValues { $0.map(\.evidence).sorted { $0.number < $1.number } }
    }

    static func report(req: Request) async throws -> Response {
        let (context, view) = try await load(req)
        let evidence = try await evidence(of: view, on: req.db)
        let expired = evidence.flatMap { item, list in list.filter { $0.currency(on: context.today) == .expired }.map { (item, $0) } }
            .sorted { ($0.0, $0.1.number) < ($1.0, $1.1.number) }
        let code = context.organisation.odsCode, catalogue = view.catalogue
        func itemList(_ items: [FrameworkCatalogue.Item], empty: String) -> Node<HTML.BodyContext> {
            items.isEmpty ? .p(.text(empty)) : Components.scrollableTable(label: "Items", .table(
                .class("table"),
                .thead(.tr(.th(.text("Item")), .th(.text("Result")), .th(.text("Target")), .th(.text("Owner")))),
                .tbody(.forEach(items) { item in
                    .tr(.td(.a(.href(SiteURL.assessmentItem(code, view.assessment.reference, item.id).path), .text("\(item.id) \(item.title)"))),
                        .td(.text(view.results[item.id]?.level.map(catalogue.label(of:)) ?? "Not assessed")),
                        .td(.text(view.targets[item.id].map(catalogue.label(of:)) ?? "—")),
                        .td(.text(view.results[item.id]?.ownerEmail ?? "—")))
                })))
        }
        let content: Node<HTML.BodyContext> = .group(
            .span(.class("caption"), .text("\(context.organisation.name) (\(code)) · \(view.assessment.reference) · printed \(context.today)")),
            .h1(.text("\(catalogue.title) \(catalogue.version): \(view.assessment.period) summary")),
            .p(.class("print-hint no-print"), .text("Use your browser's print command to print this summary or save it as PDF.")),
            Components.summaryList([
                ("Organisation", .text("\(context.organisation.name) (\(code))")),
                ("Framework", .text("\(catalogue.title) \(catalogue.version), \(catalogue.publisher)")),
                ("Deadlines", .text("Final \(CalendarDay.nhsStyle(view.assessment.finalDue))\(view.assessment.interimDue.map { ", interim \(CalendarDay.nhsStyle($0))" } ?? "")")),
                ("Assessed", .text("\(view.assessed) of \(view.items.count) items")),
                ("Approved", .text("\(view.results.values.filter { $0.itemStatus == .approved }.count) results")),
            ] + (view.dsptStatus.map { [("DSPT status", Node<HTML.BodyContext>.text($0.displayName))] } ?? [])),
            .h2(.class("heading-m"), .text("Results by level")),
            .table(.class("table"),
                   .thead(.tr(.th(.text("Level")), .th(.text("Items")))),
                   .tbody(.forEach(view.counts) { .tr(.td(.text($0.level.label)), .td(.text(String($0.count)))) },
                          .tr(.td(.text("Not assessed")), .td(.text(String(view.items.count - view.assessed)))))),
            .h2(.class("heading-m"), .text("Gaps to target (\(view.gaps.count))")),
            itemList(view.gaps, empty: view.targets.isEmpty ? "No targets are set." : "Every item with a target meets it."),
            .h2(.class("heading-m"), .text("Mandatory items not yet met (\(view.mandatoryNotMet.count))")),
            itemList(view.mandatoryNotMet, empty: "Every mandatory item is met."),
            .h2(.class("heading-m"), .text("Expired evidence (\(expired.count))")),
            expired.isEmpty ? .p(.text("No attached evidence has passed its review date.")) : Components.scrollableTable(label: "Expired evidence", .table(
                .class("table"),
                .thead(.tr(.th(.text("Item")), .th(.text("Evidence")), .th(.text("Review date")))),
                .tbody(.forEach(expired) { item, evidence in
                    .tr(.td(.text(item)), .td(.a(.href(SiteURL.evidence(code, evidence.reference).path), .text("\(evidence.reference) \(evidence.title)"))),
                        .td(.text(evidence.reviewBy.map(CalendarDay.nhsStyle) ?? "")))
                })))
        )
        let shell = context.shell("\(catalogue.title) \(view.assessment.period) summary",
                                  crumbs: [.init(title: "Compliance", url: .assessments(code)), .init(title: view.assessment.reference, url: .assessment(code, view.assessment.reference))], section: .compliance)
        return Layout.response(shell, content)
    }

    static let csvHeader = ["item", "title", "mandatory", "result", "result_label", "target", "below_target", "status", "owner", "approved_by",
                            "rationale", "evidence", "expired_evidence", "mapped"]

    static func csv(req: Request) async throws -> Response {
        let (context, view) = try await load(req)
        let evidence = try await evidence(of: view, on: req.db)
        let catalogue = view.catalogue
        let data = try SpreadsheetCSV.write(header: csvHeader, rows: view.items.map { item in
            let result = view.results[item.id]
            return [item.id, item.title, item.mandatory ? "yes" : "no", result?.level ?? "", result?.level.map(catalogue.label(of:)) ?? "Not assessed",
                    view.targets[item.id] ?? "", (view.targets[item.id].map { catalogue.isBelow(result?.level, target: $0) } ?? false) ? "yes" : "no",
                    result?.status ?? AssessmentItemStatus.notStarted.rawValue, result?.ownerEmail ?? "", result?.reviewerEmail ?? "", result?.rationale ?? "",
                    (evidence[item.id] ?? []).map(\.reference).joined(separator: " "), String(view.expiredEvidence[item.id] ?? 0),
                    (view.mapped[item.id] ?? []).map { "\($0.catalogue.key) \($0.item) \($0.relationship.rawValue) \($0.result?.level ?? "-")" }.joined(separator: "; ")]
        })
        return download(data, type: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]),
                        name: "assessment-\(context.organisation.odsCode)-\(view.assessment.reference)-\(context.today).csv")
    }

    static func oscal(req: Request) async throws -> Response {
        let (context, view) = try await load(req)
        let data = try OSCALExport.assessmentResults(view, organisation: context.organisation, evidence: try await evidence(of: view, on: req.db),
                                                     baseURL: req.application.assureConfiguration.externalURL, now: req.application.clock.now())
        return download(data, type: .json, name: "assessment-results-\(context.organisation.odsCode)-\(view.assessment.reference).json")
    }

    static func download(_ data: Data, type: HTTPMediaType, name: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = type
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
