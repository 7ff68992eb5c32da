import AssureCore
import Fluent
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/evidence`: the evidence library (files, links and what Assure produced),
/// with views of what has expired or expires soon; one piece of evidence and where it is used.
enum EvidencePages {
    static func list(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        return try await renderList(req, context, input: .init(), problems: [], form: nil)
    }

    static func upload(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.createRecord)
        try await req.uploadAfterAuthorisation()
        struct Form: Content { var file: File? }
        let input = try req.content.decode(EvidenceLibrary.Input.self)
        do {
            let file = try req.content.decode(Form.self).file
            let upload = file.flatMap { $0.data.readableBytes > 0 || !$0.filename.isEmpty ? EvidenceLibrary.Upload(name: $0.filename, data: Data(buffer: $0.data)) : nil }
            let evidence = try await req.evidenceLibrary(context).addFile(input, upload: upload, by: context.actor)
            return req.redirect(to: SiteURL.evidence(context.organisation.odsCode, evidence.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await renderList(req, context, input: input, problems: error.problems, form: "upload", status: error.status)
        }
    }

    static func addLink(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.createRecord)
        let input = try req.content.decode(EvidenceLibrary.Input.self)
        do {
            let evidence = try await req.evidenceLibrary(context).addLink(input, by: context.actor)
            return req.redirect(to: SiteURL.evidence(context.organisation.odsCode, evidence.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await renderList(req, context, input: input, problems: error.problems, form: "link", status: error.status)
        }
    }

    static func filter(_ req: Request) -> EvidenceCurrency? { (try? req.query.get(String.self, at: "show")).flatMap(EvidenceCurrency.init(rawValue:)) }

    static func renderList(_ req: Request, _ context: OrganisationContext, input: EvidenceLibrary.Input, problems: [AssureError.FieldProblem], form: String?,
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let submitted = form.map { EvidenceLibraryPage.Submitted(form: $0, input: input, problems: problems) }
        let model = try await EvidenceLibraryPage.load(req.evidenceLibrary(context), context, show: filter(req),
                                                       maxUploadBytes: req.application.assureConfiguration.evidenceMaxBytes, submitted: submitted)
        let shell = context.shell("Evidence library", problems: !problems.isEmpty, crumbs: [.init(title: "Compliance", url: .assessments(context.organisation.odsCode))],
                                  section: .compliance)
        return Layout.response(shell, status: status, EvidenceLibraryPage.view(model))
    }

    static func fileField<C: HTML.BodyContext>(error: String?) -> Node<C> {
        Components.fileField(.init(id: "upload-file", label: "File", value: "", error: error),
                             accept: EvidenceFileRules.allowedTypes.keys.sorted().map { ".\($0)" }.joined(separator: ","))
    }

    /// Title, description, owner and dates: the same fields for every kind, ids prefixed per form.
    static func detailFields<C: HTML.BodyContext>(_ prefix: String, _ input: EvidenceLibrary.Input, _ problems: [AssureError.FieldProblem]) -> Node<C> {
        .group(
            Components.textField(.init(id: "\(prefix)-title", label: prefix == "upload" ? "Title (optional: the file name if left empty)" : "Title",
                                       value: input.title ?? "", error: problems.message(for: "title")), name: "title"),
            Components.textArea(.init(id: "\(prefix)-description", label: "Description (optional)", hint: "What it shows and who approved it",
                                      value: input.description ?? "", error: problems.message(for: "description")), rows: 3, name: "description"),
            Components.textField(.init(id: "\(prefix)-owner", label: "Owner (optional)", hint: "An email address; you if left empty",
                                       value: input.owner ?? "", error: problems.message(for: "owner"), width: "field--medium"), name: "owner"),
            Components.dateField(.init(id: "\(prefix)-valid_from", label: "Valid from (optional)", value: input.valid_from ?? "",
                                       error: problems.message(for: "valid_from"), width: "field--short"), name: "valid_from"),
            Components.dateField(.init(id: "\(prefix)-review_by", label: "Review or expiry date (optional)", hint: "For a certificate, its expiry date",
                                       value: input.review_by ?? "", error: problems.message(for: "review_by"), width: "field--short"), name: "review_by")
        )
    }

    static func show(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let evidence = try await req.evidenceLibrary(context).find(try req.evidenceReference)
        return try await render(req, context, evidence, input: nil, problems: [])
    }

    static func update(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let library = req.evidenceLibrary(context)
        let evidence = try await library.find(try req.evidenceReference)
        try requireChange(context, evidence)
        let input = try req.content.decode(EvidenceLibrary.Input.self)
        do {
            try await library.update(evidence, input)
            return req.redirect(to: SiteURL.evidence(context.organisation.odsCode, evidence.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(req, context, evidence, input: input, problems: error.problems, status: error.status)
        }
    }

    static func approval(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.approve)
        let library = req.evidenceLibrary(context)
        let evidence = try await library.find(try req.evidenceReference)
        do {
            try await library.setApproval(evidence, to: try req.content.decode(EvidenceLibrary.ApprovalInput.self).approval, by: context.actor, mayApprove: context.may(.approve))
            return req.redirect(to: SiteURL.evidence(context.organisation.odsCode, evidence.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(req, context, evidence, input: nil, problems: error.problems, status: error.status)
        }
    }

    /// The file as uploaded, always as a download (never shown inline), under its checked name.
    static func download(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let evidence = try await req.evidenceLibrary(context).find(try req.evidenceReference)
        return try await req.evidenceFile(evidence)
    }

    static func requireChange(_ context: OrganisationContext, _ evidence: Evidence) throws {
        guard context.may(.editAnyRecord) || (context.may(.editOwnRecord) && evidence.ownerEmail == context.actor) else {
            throw AssureError(status: .forbidden, title: "Not permitted", detail: "Only the evidence's owner or a manager in \(context.organisation.name) may change \(evidence.reference).")
        }
    }

    static func render(_ req: Request, _ context: OrganisationContext, _ evidence: Evidence, input: EvidenceLibrary.Input?, problems: [AssureError.FieldProblem],
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let code = context.organisation.odsCode
        let uses = try await EvidenceAttachment.query(on: req.db).filter(\.$evidence.$id == evidence.requireID()).with(\.$assessment).all()
        let currency = evidence.currency(on: context.today)
        let mayChange = (try? requireChange(context, evidence)) != nil
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["title", "description", "owner", "valid_from", "review_by", "approval"]),
            .span(.class("caption"), .text("\(evidence.reference) · \(evidence.evidenceKind.displayName)")),
            .h1(.text(evidence.title)),
            Components.summaryList([
                ("Kind", .text(evidence.evidenceKind.displayName)),
                ("Description", .text(evidence.details.isEmpty ? "—" : evidence.details)),
                ("Owner", .text(evidence.ownerEmail ?? "—")),
                ("Valid from", .text(evidence.validFrom.map(CalendarDay.nhsStyle) ?? "—")),
                ("Review or expiry", .group(.text(evidence.reviewBy.map(CalendarDay.nhsStyle) ?? "None set"), .text(" "), Components.evidenceCurrency(currency))),
                ("Approval", .text("\(evidence.approvalStatus.displayName)\(evidence.approvedBy.map { " by \($0)" } ?? "")")),
                evidence.evidenceKind == .file
                    ? ("File", .group(.a(.href(SiteURL.evidenceFile(code, evidence.reference).path), .text("Download \(evidence.fileName ?? "the file")")),
                                      .text(" (\(EvidenceFileRules.megabytes(evidence.fileSize ?? 0)), SHA-256 \(evidence.fileSHA256?.prefix(12) ?? "")…)")))
                    : evidence.evidenceKind == .link
                        ? ("Link", .a(.href(evidence.url ?? "#"), .attribute(named: "rel", value: "noopener noreferrer"), .text(evidence.url ?? "")))
                        : ("Produced by", .text("Assure's automated check \(evidence.checkID ?? "")")),
                ("Added", .text("\(evidence.createdAt.map { CalendarDay.inEngland($0).description } ?? "—") by \(evidence.createdBy)")),
            ]),
            .h2(.class("heading-m"), .text("Supports")),
            uses.isEmpty ? .p(.text("Not attached to any assessment item yet.")) : .ul(.class("list"), .forEach(uses) { use in
                .li(.a(.href(SiteURL.assessmentItem(code, use.assessment.reference, use.itemID).path),
                       .text("\(use.assessment.reference) \(use.assessment.frameworkID) \(use.assessment.frameworkVersion) \(use.assessment.period): \(use.itemID)")))
            }),
            .if(context.may(.approve) && evidence.evidenceKind != .system && evidence.ownerEmail == context.actor,
                .p(.class("hint"), .text("You own this evidence, so another manager approves it."))),
            .if(context.may(.approve) && evidence.evidenceKind != .system && evidence.ownerEmail != context.actor, .form(
                .class("panel"), .method(.post), .action(SiteURL.evidenceApproval(code, evidence.reference).path),
                .h2(.class("heading-m"), .text("Approval")),
                Components.csrfField(),
                Components.selectField(.init(id: "approval", label: "Approval", value: evidence.approval, error: problems.message(for: "approval")),
                                       options: EvidenceApproval.allCases.map { ($0.rawValue, $0.displayName) }),
                .button(.type(.submit), .class("button"), .text("Save approval"))
            )),
            .if(mayChange, .form(
                .class("panel"), .method(.post), .action(SiteURL.evidence(code, evidence.reference).path), .attribute(named: "novalidate"),
                .h2(.class("heading-m"), .text("Change the details")),
                Components.csrfField(),
                Components.textField(.init(id: "title", label: "Title", value: input?.title ?? evidence.title, error: problems.message(for: "title"))),
                Components.textArea(.init(id: "description", label: "Description", value: input?.description ?? evidence.details, error: problems.message(for: "description")), rows: 3),
                Components.textField(.init(id: "owner", label: "Owner", value: input?.owner ?? evidence.ownerEmail ?? "", error: problems.message(for: "owner"), width: "field--medium")),
                Components.dateField(.init(id: "valid_from", label: "Valid from", value: input?.valid_from ?? evidence.validFrom ?? "", error: problems.message(for: "valid_from"), width: "field--short")),
                Components.dateField(.init(id: "review_by", label: "Review or expiry date", value: input?.review_by ?? evidence.reviewBy ?? "", error: problems.message(for: "review_by"), width: "field--short")),
                .button(.type(.submit), .class("button"), .text("Save details"))
            ))
        )
        let shell = context.shell("\(evidence.reference) \(evidence.title)", problems: !problems.isEmpty,
                                  crumbs: [.init(title: "Compliance", url: .assessments(code)), .init(title: "Evidence library", url: .evidenceLibrary(code))], section: .compliance)
        return Layout.response(shell, status: status, content)
    }
}

struct EvidenceRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.evidenceLibrary(SiteURL.code).pathComponents, use: EvidencePages.list)
        // Uploads stream up to the configured limit plus room for the form fields; the size check names the file.
        routes.on(.POST, SiteURL.uploadEvidence(SiteURL.code).pathComponents, body: .stream, use: EvidencePages.upload)
        routes.post(SiteURL.addEvidenceLink(SiteURL.code).pathComponents, use: EvidencePages.addLink)
        let evidence = SiteURL.evidence(SiteURL.code, SiteURL.evidenceReference)
        routes.get(evidence.pathComponents, use: EvidencePages.show)
        routes.post(evidence.pathComponents, use: EvidencePages.update)
        routes.post(SiteURL.evidenceApproval(SiteURL.code, SiteURL.evidenceReference).pathComponents, use: EvidencePages.approval)
        routes.get(SiteURL.evidenceFile(SiteURL.code, SiteURL.evidenceReference).pathComponents, use: EvidencePages.download)
    }
}
