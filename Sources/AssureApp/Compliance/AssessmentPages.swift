import AssureCore
import Fluent
import Foundation
import Plot
import SQLKit
import Vapor

/// `/organisations/{code}/assessments`: an organisation's self-assessments (DSPT, CAF, Cyber
/// Essentials, DTAC, DCB0129/0160…), their progress over time, and starting or copying one forward.
enum AssessmentPages {
    static func list(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        return try await renderList(req, context, input: .init(period: SubmissionDeadlines.period(containing: context.today), profile: ""), problems: [])
    }

    static func start(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        let input = try req.content.decode(Assessments.StartInput.self)
        do {
            let assessment = try await req.assessments(context).start(input)
            return req.redirect(to: SiteURL.assessment(context.organisation.odsCode, assessment.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await renderList(req, context, input: input, problems: error.problems, status: error.status)
        }
    }

    /// What the final deadline box says Assure uses when it is left blank, flagged when the date
    /// is not confirmed by the publisher.
    static func deadlineHint(today: CalendarDay) -> String {
        let period = SubmissionDeadlines.period(containing: today)
        guard let known = SubmissionDeadlines.deadline(framework: "dspt-caf", period: period) else {
            return "Enter the date the return is due"
        }
        return "Leave blank for the DSPT's published date: for \(period), \(known.finalDue.nhsStyle)"
            + (known.verified ? "" : " (expected; not yet confirmed by NHS England)")
    }

    struct CopyInput: Content {
        var source: String?
        var framework: String?
        var period: String?
        var interim_due: String?
        var final_due: String?
    }

    static func copy(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        let input = try req.content.decode(CopyInput.self)
        do {
            let assessments = req.assessments(context)
            guard let reference = input.source, !reference.isEmpty, let source = try? await assessments.find(reference) else {
                throw AssureError.invalid([RuleError(field: "source", message: "Choose the assessment to copy forward")])
            }
            let (assessment, _) = try await assessments.copyForward(source, .init(framework: input.framework, period: input.period,
                                                                                  interim_due: input.interim_due, final_due: input.final_due))
            return req.redirect(to: SiteURL.assessment(context.organisation.odsCode, assessment.reference).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return try await renderList(req, context, input: .init(), copy: input, problems: error.problems, status: error.status)
        }
    }

    static func renderList(_ req: Request, _ context: OrganisationContext, input: Assessments.StartInput, copy: CopyInput? = nil,
                           problems: [AssureError.FieldProblem], status: HTTPResponseStatus = .ok) async throws -> Response {
        var model = try await AssessmentListPage.load(context, frameworks: req.frameworks)
        (model.input, model.copy, model.problems) = (input, copy, problems)
        return Layout.response(context.shell("Compliance assessments", problems: !problems.isEmpty, section: .compliance), status: status,
                               AssessmentListPage.view(model))
    }

    /// Per assessment: items, how many have a result, how many reached the top level, how many are below target.
    struct Progress {
        var items: Int
        var assessed: Int
        var top: Int
        var belowTarget: Int

        static func load(_ assessments: [Assessment], frameworks: FrameworkLibrary, on database: any Database) async throws -> [UUID: Progress] {
            let ids = assessments.compactMap(\.id)
            guard !ids.isEmpty else { return [:] }
            var levels: [UUID: [String: String]] = [:]
            for result in try await AssessmentResult.query(on: database).filter(\.$assessment.$id ~~ ids).filter(\.$level != nil).all() {
                levels[result.$assessment.id, default: [:]][result.itemID] = result.level
            }
            var progress: [UUID: Progress] = [:]
            for assessment in assessments {
                guard let id = assessment.id, let catalogue = frameworks.catalogue(of: assessment) else { continue }
                let results = levels[id] ?? [:]
                let targets = assessment.targets
                progress[id] = Progress(items: catalogue.items.count, assessed: results.count,
                                        top: results.values.filter { $0 == catalogue.levels.last?.id }.count,
                                        belowTarget: targets.filter { catalogue.isBelow(results[$0.key], target: $0.value) }.count)
            }
            return progress
        }
    }
}

struct AssessmentRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.assessments(SiteURL.code).pathComponents, use: AssessmentPages.list)
        routes.post(SiteURL.assessments(SiteURL.code).pathComponents, use: AssessmentPages.start)
        routes.post(SiteURL.copyAssessment(SiteURL.code).pathComponents, use: AssessmentPages.copy)
        routes.get(SiteURL.compliancePositions(SiteURL.code).pathComponents, use: CompliancePositionsPage.show)
        let assessment = SiteURL.assessment(SiteURL.code, SiteURL.assessmentReference)
        routes.get(assessment.pathComponents, use: AssessmentPage.show)
        routes.post(SiteURL.assessmentChecks(SiteURL.code, SiteURL.assessmentReference).pathComponents, use: AssessmentPage.runChecks)
        routes.get(SiteURL.assessmentReport(SiteURL.code, SiteURL.assessmentReference).pathComponents, use: AssessmentReports.report)
        routes.get(SiteURL.assessmentCSV(SiteURL.code, SiteURL.assessmentReference).pathComponents, use: AssessmentReports.csv)
        routes.get(SiteURL.assessmentOSCAL(SiteURL.code, SiteURL.assessmentReference).pathComponents, use: AssessmentReports.oscal)
        let item = SiteURL.assessmentItem(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID)
        routes.get(item.pathComponents, use: AssessmentItemPage.show)
        routes.post(item.pathComponents, use: AssessmentItemPage.record)
        routes.post(SiteURL.assessmentItemEvidence(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID).pathComponents, use: AssessmentItemPage.attach)
        routes.post(SiteURL.assessmentItemEvidenceRemove(SiteURL.code, SiteURL.assessmentReference, SiteURL.assessmentItemID).pathComponents, use: AssessmentItemPage.detach)
    }
}

extension Request {
    var assessmentReference: String { get throws { try pathParameter(SiteURL.assessmentReference) } }
    var assessmentItem: String { get throws { try pathParameter(SiteURL.assessmentItemID) } }
    var evidenceReference: String { get throws { try pathParameter(SiteURL.evidenceReference) } }
}
