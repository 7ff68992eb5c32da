import AssureCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/organisations/{code}/evidence…` (the evidence library), attaching evidence to items,
/// running automated checks, copying an assessment forward, OSCAL results and the positions table:
/// the same rules as the pages.
struct EvidenceAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.evidenceLibrary(SiteURL.code)), .listEvidence, use: list)
        routes.api(.POST, .api(.evidenceLibrary(SiteURL.code)), .addEvidence, body: .stream, use: add)
        routes.api(.GET, .api(.evidence(SiteURL.code, SiteURL.evidenceReference)), .readEvidence, use: read)
        routes.api(.POST, .api(.evidenceApproval(SiteURL.code, SiteURL.evidenceReference)), .approveEvidence, use: approve)
        routes.api(.GET, .api(.evidenceFile(SiteURL.code, SiteURL.evidenceReference)), .downloadEvidence, use: file)
        routes.api(.POST, .api(.assessmentItemEvidence(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID)), .attachEvidence, use: attach)
        routes.api(.DELETE, .api(.assessmentItemEvidenceItem(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID, SiteURL.evidenceReference)),
                   .detachEvidence, use: detach)
        routes.api(.POST, .api(.assessmentChecks(SiteURL.code, SiteURL.assessmentReference)), .runAutomatedChecks, use: runChecks)
        routes.api(.POST, .api(.assessmentCopy(SiteURL.code, SiteURL.assessmentReference)), .copyAssessmentForward, use: copy)
        routes.api(.GET, .api(.assessmentOSCAL(SiteURL.code, SiteURL.assessmentReference)), .assessmentOSCAL, use: AssessmentReports.oscal)
        routes.api(.GET, .api(.compliancePositions(SiteURL.code)), .compliancePositions, use: positions)
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
    /// A file upload: the evidence's fields and the file, as multipart/form-data.
    struct Upload: Decodable {
        var input: EvidenceLibrary.Input
        var file: File?

        init(from decoder: any Decoder) throws {
            input = try EvidenceLibrary.Input(from: decoder)
            file = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(File.self, forKey: .file)
        }

        enum CodingKeys: String, CodingKey { case file }
    }

    func add(req: Request) async throws -> Created<EvidenceSummary> {
        let context = try await req.organisationContext(.createRecord)
        let library = req.evidenceLibrary(context)
        let evidence: Evidence
        if req.headers.contentType?.type == "multipart" {
            try await req.uploadAfterAuthorisation()
            let upload = try req.content.decode(Upload.self)
            evidence = try await library.addFile(upload.input, upload: upload.file.map { .init(name: $0.filename, data: Data(buffer: $0.data)) }, by: context.actor)
        } else {
            _ = try await req.body.collect(max: 1024 * 1024).get()
            evidence = try await library.addLink(try req.decodeJSON(EvidenceLibrary.Input.self), by: context.actor)
        }
        return Created(Self.summary(evidence, today: context.today), at: .api(.evidence(context.organisation.odsCode, evidence.reference)))
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
        return try await req.evidenceFile(try await req.evidenceLibrary(context).find(try req.evidenceReference))
    }

    func attach(req: Request) async throws -> Created<EvidenceSummary> {
        let context = try await req.organisationContext(.read)
        let loaded = try await req.assessments(context).item(try req.assessmentItem, in: try req.assessmentReference)
        try req.assessments(context).requireEdit(loaded)
        let reference = (try req.decodeJSON(EvidenceLibrary.Choice.self).evidence ?? "").trimmingCharacters(in: .whitespaces)
        let library = req.evidenceLibrary(context)
        guard !reference.isEmpty, let evidence = try? await library.find(reference) else {
            throw AssureError.invalid([RuleError(field: "evidence", message: "Name evidence from \(context.organisation.name)'s library, for example E12")])
        }
        try await library.attach(evidence, to: loaded.assessment, item: loaded.item.id, catalogue: loaded.catalogue)
        return Created(Self.summary(evidence, today: context.today))
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

    func copy(req: Request) async throws -> Created<CopyResult> {
        let context = try await req.organisationContext(.editAnyRecord)
        let assessments = req.assessments(context)
        let source = try await assessments.find(try req.assessmentReference)
        let (assessment, carried) = try await assessments.copyForward(source, try req.decodeJSON(Assessments.StartInput.self))
        return Created(CopyResult(assessment: AssessmentAPI.summary(assessment), carried: carried),
                       at: .api(.assessment(context.organisation.odsCode, assessment.reference)))
    }

    func positions(req: Request) async throws -> [CompliancePositions.Row] {
        let context = try await req.organisationContext(.read)
        return try await CompliancePositions.load(context, frameworks: req.frameworks, on: req.db)
    }
}
