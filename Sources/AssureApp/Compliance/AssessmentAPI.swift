import AssureCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/frameworks` (the catalogues) and `/api/v1/organisations/{code}/assessments…` (an
/// organisation's assessments and their results), with the same rules as the pages.
struct AssessmentAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.frameworks), .listFrameworks, use: frameworks)
        routes.api(.GET, .api(.framework(SiteURL.frameworkKey)), .readFramework, use: framework)
        routes.api(.GET, .api(.assessments(SiteURL.code)), .listAssessments, use: list)
        routes.api(.POST, .api(.assessments(SiteURL.code)), .startAssessment, use: start)
        routes.api(.GET, .api(.assessment(SiteURL.code, SiteURL.assessmentReference)), .readAssessment, use: read)
        routes.api(.PUT, .api(.assessmentItem(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID)), .recordResult, use: record)
    }

    struct FrameworkSummary: Content {
        var key: String; var id: String; var version: String; var title: String; var publisher: String; var licence: String
        var attribution: String; var published: String; var unverified: Bool; var items: Int; var profiles: [String]
    }

    struct FrameworkDetail: Content {
        struct Level: Content { var id: String; var label: String }
        struct Item: Content { var id: String; var title: String; var levels: [String]; var mandatory: Bool; var unverified: Bool; var group: String }
        var summary: FrameworkSummary
        var levels: [Level]
        var items: [Item]
    }

    static func summary(_ catalogue: FrameworkCatalogue) -> FrameworkSummary {
        FrameworkSummary(key: catalogue.key, id: catalogue.id, version: catalogue.version, title: catalogue.title, publisher: catalogue.publisher,
                         licence: catalogue.licence, attribution: catalogue.attribution, published: catalogue.published, unverified: catalogue.unverified,
                         items: catalogue.items.count, profiles: catalogue.profiles.map(\.id))
    }

    func frameworks(req: Request) async throws -> [FrameworkSummary] {
        _ = try req.requireIdentity()
        return req.frameworks.catalogues.map(Self.summary)
    }

    func framework(req: Request) async throws -> FrameworkDetail {
        _ = try req.requireIdentity()
        let key = req.parameters.get(String(SiteURL.frameworkKey.dropFirst())) ?? ""
        guard let catalogue = req.frameworks.find(key) else { throw AssureError.notFound("No framework '\(key)'") }
        func items(_ group: FrameworkCatalogue.Group) -> [FrameworkDetail.Item] {
            group.items.map { .init(id: $0.id, title: $0.title, levels: $0.levels, mandatory: $0.mandatory, unverified: $0.unverified, group: group.id) }
                + group.groups.flatMap(items)
        }
        return FrameworkDetail(summary: Self.summary(catalogue), levels: catalogue.levels.map { .init(id: $0.id, label: $0.label) },
                               items: catalogue.groups.flatMap(items))
    }

    struct AssessmentSummary: Content {
        var reference: String; var framework: String; var period: String; var interim_due: String?; var final_due: String
    }

    struct AssessmentDetail: Content {
        struct Mapped: Content { var framework: String; var item: String; var relationship: String; var assessment: String?; var level: String? }
        struct Item: Content {
            var id: String; var title: String; var mandatory: Bool; var level: String?; var target: String?; var below_target: Bool
            var status: String; var owner: String?; var approved_by: String?; var rationale: String; var evidence: Int; var expired_evidence: Int
            var automated: Bool; var mapped: [Mapped]
        }
        var assessment: AssessmentSummary
        var counts: [String: Int]
        var below_target: Int
        var mandatory_not_met: Int
        var dspt_status: String?
        var items: [Item]
    }

    static func summary(_ assessment: Assessment) -> AssessmentSummary {
        AssessmentSummary(reference: assessment.reference, framework: "\(assessment.frameworkID)@\(assessment.frameworkVersion)", period: assessment.period,
                          interim_due: assessment.interimDue, final_due: assessment.finalDue)
    }

    func list(req: Request) async throws -> [AssessmentSummary] {
        let context = try await req.organisationContext(.read)
        return try await Assessment.query(on: req.db).filter(\.$organisation.$id == context.organisation.id).sort(\.$number).all().map(Self.summary)
    }

    func start(req: Request) async throws -> Created<AssessmentSummary> {
        let context = try await req.organisationContext(.editAnyRecord)
        let assessment = try await req.assessments(context).start(try req.decodeJSON(Assessments.StartInput.self))
        return Created(Self.summary(assessment), at: .api(.assessment(context.organisation.odsCode, assessment.reference)))
    }

    func read(req: Request) async throws -> AssessmentDetail {
        let context = try await req.organisationContext(.read)
        return try await Self.detail(try await req.assessments(context).find(try req.assessmentReference), req, context)
    }

    func record(req: Request) async throws -> AssessmentDetail {
        let context = try await req.organisationContext(.read)
        let loaded = try await req.assessments(context).item(try req.assessmentItem, in: try req.assessmentReference)
        try req.assessments(context).requireEdit(loaded)
        try await req.assessments(context).record(try req.decodeJSON(Assessments.ResultInput.self), item: loaded.item.id, in: loaded.assessment,
                                                  by: context.actor, mayApprove: context.may(.approve))
        return try await Self.detail(loaded.assessment, req, context)
    }

    static func detail(_ assessment: Assessment, _ req: Request, _ context: OrganisationContext) async throws -> AssessmentDetail {
        let view = try await AssessmentView.load(assessment, frameworks: req.frameworks, today: context.today, on: req.db)
        let catalogue = view.catalogue
        let items = view.items.map { item -> AssessmentDetail.Item in
            let result = view.results[item.id]
            return .init(id: item.id, title: item.title, mandatory: item.mandatory, level: result?.level, target: view.targets[item.id],
                         below_target: view.targets[item.id].map { catalogue.isBelow(result?.level, target: $0) } ?? false,
                         status: result?.status ?? AssessmentItemStatus.notStarted.rawValue, owner: result?.ownerEmail, approved_by: result?.reviewerEmail,
                         rationale: result?.rationale ?? "", evidence: view.evidenceCounts[item.id] ?? 0, expired_evidence: view.expiredEvidence[item.id] ?? 0,
                         automated: !AutomatedCheck.checks(for: item.id, in: catalogue.id).isEmpty,
                         mapped: (view.mapped[item.id] ?? []).map { .init(framework: $0.catalogue.key, item: $0.item, relationship: $0.relationship.rawValue,
                                                                        assessment: $0.assessment?.reference, level: $0.result?.level) })
        }
        return AssessmentDetail(assessment: summary(assessment), counts: Dictionary(uniqueKeysWithValues: view.counts.map { ($0.level.id, $0.count) }),
                                below_target: view.gaps.count, mandatory_not_met: view.mandatoryNotMet.count, dspt_status: view.dsptStatus?.displayName,
                                items: items)
    }
}
