import AssureCore
import Foundation
import Plot

/// `/organisations/{code}/evidence`: the evidence library, one view of it (all, expiring soon,
/// expired, no review date), and the upload and link forms, sent back with their problems.
/// Model / View / Query: `load` reads, `Model` is what the page shows, `view` draws it.
enum EvidenceLibraryPage {
    /// A form sent back: which one ("upload" or "link"), what was typed, and what is wrong.
    struct Submitted {
        var form: String
        var input: EvidenceLibrary.Input
        var problems: [AssureError.FieldProblem]
    }

    struct Model {
        var code: String
        var organisationName: String
        var today: CalendarDay
        var show: EvidenceCurrency?
        var evidence: [Evidence] = []
        /// How many assessment items each piece of evidence supports, by its id.
        var usage: [UUID: Int] = [:]
        var mayAdd = false
        var maxUploadBytes: Int
        var submitted: Submitted?

        var problems: [AssureError.FieldProblem] { submitted?.problems ?? [] }

        func sent(_ form: String) -> EvidenceLibrary.Input { submitted?.form == form ? submitted?.input ?? .init() : .init() }
        func problems(_ form: String) -> [AssureError.FieldProblem] { submitted?.form == form ? problems : [] }
    }

    static let views: [(EvidenceCurrency?, String)] = [(nil, "All"), (.expiringSoon, "Expiring soon"), (.expired, "Expired"), (.noReviewDate, "No review date")]

    static func load(_ library: EvidenceLibrary, _ context: OrganisationContext, show: EvidenceCurrency?, maxUploadBytes: Int, submitted: Submitted?) async throws -> Model {
        let evidence = try await library.list(show)
        return Model(code: context.organisation.odsCode, organisationName: context.organisation.name, today: context.today, show: show, evidence: evidence,
                     usage: try await library.usage(of: evidence), mayAdd: context.may(.createRecord), maxUploadBytes: maxUploadBytes, submitted: submitted)
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code
        // Both forms share field names, so each field's id carries its form's name.
        let prefix = model.submitted?.form ?? "upload"
        return .group(
            Components.errorSummary(model.problems.map { .init(field: "\(prefix)-\($0.field)", message: $0.message, line: $0.line) },
                                    fieldIDs: Set(model.problems.map { "\(prefix)-\($0.field)" })),
            .h1(.text("Evidence library")),
            .p(.class("lede"), .text("\(model.organisationName)'s evidence, kept once and attached to as many assessment items as it supports. Expiring soon means a review date within \(EvidenceCurrency.soonDays) days.")),
            .nav(.class("tabs"), .attribute(named: "aria-label", value: "Evidence views"),
                 .ul(.forEach(views) { view in
                     .li(view.0 == model.show
                         ? .span(.class("tabs__current"), .attribute(named: "aria-current", value: "page"), .text(view.1))
                         : .a(.href(view.0.map { SiteURL.evidenceLibrary(code).with(query: [("show", $0.rawValue)]) } ?? SiteURL.evidenceLibrary(code).path), .text(view.1)))
                 })),
            model.evidence.isEmpty
                ? Components.emptyState(title: model.show == nil ? "No evidence yet" : "Nothing to show", message: model.show == nil
                                        ? "Upload a policy, certificate or report, or link to one held elsewhere."
                                        : "No evidence in this view.", actions: [])
                : Components.scrollableTable(label: "Evidence", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Evidence")), .th(.text("Kind")), .th(.text("Owner")), .th(.text("Review by")), .th(.text("Approval")), .th(.text("Supports")))),
                    .tbody(.forEach(model.evidence) { item in
                        .tr(.td(.a(.href(SiteURL.evidence(code, item.reference).path), .text("\(item.reference) \(item.title)"))),
                            .td(.text(item.evidenceKind.displayName)),
                            .td(.text(item.ownerEmail ?? "—")),
                            .td(.span(.class("nowrap"), .text(item.reviewBy.map(CalendarDay.nhsStyle) ?? "—")), Components.evidenceCurrency(item.currency(on: model.today))),
                            .td(.text(item.approvalStatus.displayName)),
                            .td(.text(model.usage[item.id ?? UUID()].map { "\(Words.count($0, "item"))" } ?? "Not used yet")))
                    }))),
            .if(model.mayAdd, forms(model))
        )
    }

    private static func forms(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code
        return .group(
            .form(
                .class("panel"), .method(.post), .action(Components.uploadAction(.uploadEvidence(code))), .enctype(.multipartData),
                .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Upload a file")),
                .p(.class("hint"), .text("Up to \(EvidenceFileRules.megabytes(model.maxUploadBytes)): \(EvidenceFileRules.allowedList).")),
                EvidencePages.fileField(error: model.problems("upload").message(for: "file")),
                EvidencePages.detailFields("upload", model.sent("upload"), model.problems("upload")),
                .button(.type(.submit), .class("button"), .text("Upload evidence"))
            ),
            .form(
                .class("panel"), .method(.post), .action(SiteURL.addEvidenceLink(code).path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Add a link")),
                Components.csrfField(),
                Components.textField(.init(id: "link-url", label: "Web address", hint: "Where the document is held, for example on the intranet",
                                           value: model.sent("link").url ?? "", error: model.problems("link").message(for: "url")), name: "url"),
                EvidencePages.detailFields("link", model.sent("link"), model.problems("link")),
                .button(.type(.submit), .class("button"), .text("Add link"))
            )
        )
    }
}
