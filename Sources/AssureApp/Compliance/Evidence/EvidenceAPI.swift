import AssureCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/organisations/{code}/evidence…` (the evidence library), attaching evidence to items,
/// running automated checks, copying an assessment forward, OSCAL results and the positions table:
/// the same rules as the pages.
struct EvidenceAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.api(.evidenceLibrary(SiteURL.code)).pathComponents, use: list)
        routes.on(.POST, SiteURL.api(.evidenceLibrary(SiteURL.code)).pathComponents, body: .stream, use: add)
        routes.get(SiteURL.api(.evidence(SiteURL.code, SiteURL.evidenceReference)).pathComponents, use: read)
        routes.post(SiteURL.api(.evidenceApproval(SiteURL.code, SiteURL.evidenceReference)).pathComponents, use: approve)
        routes.get(SiteURL.api(.evidenceFile(SiteURL.code, SiteURL.evidenceReference)).pathComponents, use: file)
        routes.post(SiteURL.api(.assessmentItemEvidence(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID)).pathComponents, use: attach)
        routes.delete(SiteURL.api(.assessmentItemEvidenceItem(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID, SiteURL.evidenceReference)).pathComponents,
                      use: detach)
        routes.post(SiteURL.api(.assessmentChecks(SiteURL.code, SiteURL.assessmentReference)).pathComponents, use: runChecks)
        routes.post(SiteURL.api(.assessmentCopy(SiteURL.code, SiteURL.assessmentReference)).pathComponents, use: copy)
        routes.get(SiteURL.api(.assessmentOSCAL(SiteURL.code, SiteURL.assessmentReference)).pathComponents, use: AssessmentReports.oscal)
        routes.get(SiteURL.api(.compliancePositions(SiteURL.code)).pathComponents, use: positions)
    }

    struct EvidenceSummary: Content {
        var reference: String; var kind: String; var title: String; var description: String; var owner: String?
        var valid_from: String?; var review_by: String?; var currency: String; var approval: String; var approved_by: String?
        var file_name: String?; var content_type: String?; var file_size: Int?; var sha256: String?; var url: String?; var check: String?
        var supports: [String]?
    }

    static func summary(_ evidence: Evidence, today: CalendarDay, supports: [String]? = nil) -> EvidenceSummary {
        EvidenceSummary(reference: evidence.reference, kind: evidence.kind, title: evidence.title, description: evidence.details, owner: evidence.ownerEmail,
                        valid_from: evidence.validFrom, review_by: evidence.reviewBy, currency: evidence.currency(on: today).rawValue, approval: evidence.approval,
                        approved_by: evidence.approvedBy, file_name: evidence.fileName, content_type: evidence.contentType, file_size: evidence.fileSize,
                        sha256: evidence.fileSHA256, url: evidence.url, check: evidence.checkID, supports: supports)
    }

    func list(req: Request) async throws -> [EvidenceSummary] {
        let context = try await req.organisationContext(.read)
        let raw = try? req.query.get(String.self, at: "currency")
        var currency: EvidenceCurrency?
        if let raw, !raw.isEmpty {
            guard let value = EvidenceCurrency(rawValue: raw) else {
                throw AssureError(status: .badRequest, title: "Unknown view", detail: "currency must be one of current, expiring-soon, expired, no-review-date",
                                  problems: [.init(field: "currency", message: "must be one of current, expiring-soon, expired, no-review-date")])
            }
            currency = value
        }
        return try await req.evidenceLibrary(context).list(currency).map { Self.summary($0, today: context.today) }
    }

    /// A file as `multipart/form-data` (field `file` with title, description, owner, valid_from,
    /// review_by), or a link as JSON (`url` with the same fields).
    func add(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.createRecord)
        let library = req.evidenceLibrary(context)
        let evidence: Evidence
        if req.headers.contentType?.type == "multipart" {
            try await req.uploadAfterAuthorisation()
            struct Form: Content { var file: File? }
            let input = try req.content.decode(EvidenceLibrary.Input.self)
            let file = try req.content.decode(Form.self).file
            evidence = try await library.addFile(input, upload: file.map { .init(name: $0.filename, data: Data(buffer: $0.data)) }, by: context.actor)
        } else {
            _ = try await req.body.collect(max: 1024 * 1024).get()
            evidence = try await library.addLink(try req.decodeJSON(EvidenceLibrary.Input.self), by: context.actor)
        }
        let response = try await Self.summary(evidence, today: context.today).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: SiteURL.api(.evidence(context.organisation.odsCode, evidence.reference)).path)
        return response
    }

    func read(req: Request) async throws -> EvidenceSummary {
        let context = try await req.organisationContext(.read)
        let evidence = try await req.evidenceLibrary(context).find(try req.evidenceReference)
        let uses = try await EvidenceAttachment.query(on: req.db).filter(\.$evidence.$id == evidence.requireID()).with(\.$assessment).all()
        return Self.summary(evidence, today: context.today, supports: uses.map { "\($0.assessment.reference) \($0.itemID)" }.sorted())
    }

    func approve(req: Request) async throws -> EvidenceSummary {
        let context = try await req.organisationContext(.approve)
        let library = req.evidenceLibrary(context)
        let evidence = try await library.find(try req.evidenceReference)
        try await library.setApproval(evidence, to: try req.decodeJSON(EvidenceLibrary.ApprovalInput.self).approval, by: context.actor, mayApprove: context.may(.approve))
        return Self.summary(evidence, today: context.today)
    }

    func file(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        return try await EvidencePages.fileResponse(req, try await req.evidenceLibrary(context).find(try req.evidenceReference))
    }

    func attach(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let loaded = try await req.assessments(context).item(try req.assessmentItem, in: try req.assessmentReference)
        try req.assessments(context).requireEdit(loaded)
        let reference = (try req.decodeJSON(EvidenceLibrary.Choice.self).evidence ?? "").trimmingCharacters(in: .whitespaces)
        let library = req.evidenceLibrary(context)
        guard !reference.isEmpty, let evidence = try? await library.find(reference) else {
            throw AssureError.invalid([RuleError(field: "evidence", message: "Name evidence from \(context.organisation.name)'s library, for example E12")])
        }
        try await library.attach(evidence, to: loaded.assessment, item: loaded.item.id, catalogue: loaded.catalogue)
        return try await Self.summary(evidence, today: context.today).encodeResponse(status: .created, for: req)
    }

    func detach(req: Request) async throws -> HTTPStatus {
        let context = try await req.organisationContext(.read)
        let loaded = try await req.assessments(context).item(try req.assessmentItem, in: try req.assessmentReference)
        try req.assessments(context).requireEdit(loaded)
        let library = req.evidenceLibrary(context)
        try await library.detach(try await library.find(try req.evidenceReference), from: loaded.assessment, item: loaded.item.id)
        return .noContent
    }

    func runChecks(req: Request) async throws -> [AutomatedCheckRunner.Ran] {
        let context = try await req.organisationContext(.editAnyRecord)
        let assessments = req.assessments(context)
        return try await AutomatedCheckRunner(assessments: assessments, evidence: req.evidenceLibrary(context)).run(on: try await assessments.find(try req.assessmentReference))
    }

    struct CopyResult: Content { var assessment: AssessmentAPI.AssessmentSummary; var carried: Int }

    func copy(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        let assessments = req.assessments(context)
        let source = try await assessments.find(try req.assessmentReference)
        let (assessment, carried) = try await assessments.copyForward(source, try req.decodeJSON(Assessments.StartInput.self))
        let response = try await CopyResult(assessment: AssessmentAPI.summary(assessment), carried: carried).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: SiteURL.api(.assessment(context.organisation.odsCode, assessment.reference)).path)
        return response
    }

    func positions(req: Request) async throws -> [CompliancePositions.Row] {
        let context = try await req.organisationContext(.read)
        return try await CompliancePositions.load(context, frameworks: req.frameworks, on: req.db)
    }
}
