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
        let code = context.organisation.odsCode
        let frameworks = req.frameworks
        let assessments = try await Assessment.query(on: req.db).filter(\.$organisation.$id == context.organisation.id).sort(\.$number, .descending).all()
        let progress = try await Progress.load(assessments, frameworks: frameworks, on: req.db)
        let frameworkOptions = frameworks.catalogues.map { ($0.key, "\($0.title) \($0.version)\($0.unverified ? " (some details unverified)" : "")") }
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: ["framework", "period", "interim_due", "final_due", "profile", "source"]),
            .h1(.text("Compliance assessments")),
            .p(.class("lede"), .text("\(context.organisation.name)'s self-assessments against the DSPT, the NCSC CAF, Cyber Essentials, DTAC, DCB0129/0160 and the NHS Service Standard. "),
               .a(.href(SiteURL.evidenceLibrary(code).path), .text("Evidence library")), .text(" · "),
               .a(.href(SiteURL.compliancePositions(code).path), .text("Positions across organisations"))),
            assessments.isEmpty
                ? Components.emptyState(title: "No assessments yet", message: "Start one below, for example the DSPT for this year.", actions: [])
                : .group(
                    .h2(.class("heading-m"), .text("Progress over time")),
                    Components.scrollableTable(label: "Assessments", .table(
                        .class("table"),
                        .thead(.tr(.th(.text("Assessment")), .th(.text("Framework")), .th(.text("Period")), .th(.text("Assessed")),
                                   .th(.text("At the top level")), .th(.text("Below target")), .th(.text("Final deadline")))),
                        // Periods of one framework together, newest first, so the trend reads down the table.
                        .tbody(.forEach(assessments.sorted { ($0.frameworkID, $1.period, $0.frameworkVersion) < ($1.frameworkID, $0.period, $1.frameworkVersion) }) { assessment in
                            let figures = progress[assessment.id ?? UUID()]
                            return .tr(.td(.a(.href(SiteURL.assessment(code, assessment.reference).path), .text(assessment.reference))),
                                       .td(.text("\(frameworks.catalogue(of: assessment)?.title ?? assessment.frameworkID) \(assessment.frameworkVersion)")),
                                       .td(.text(assessment.period)),
                                       .td(.text(figures.map { "\($0.assessed) of \($0.items)" } ?? "—")),
                                       .td(figures.map { Components.meter(part: $0.top, of: $0.items) } ?? .text("—")),
                                       .td(.text(figures.map { String($0.belowTarget) } ?? "—")),
                                       .td(.span(.class("nowrap"), .text(CalendarDay.nhsStyle(assessment.finalDue)))))
                        })))),
            .if(context.may(.editAnyRecord), .group(
                .form(
                    .class("panel"), .method(.post), .action(SiteURL.assessments(code).path), .attribute(named: "novalidate"),
                    .h2(.class("heading-m"), .text("Start an assessment")),
                    Components.csrfField(),
                    Components.selectField(.init(id: "framework", label: "Framework", value: input.framework ?? "", error: problems.message(for: "framework")),
                                           options: [("", "Choose a framework")] + frameworkOptions),
                    Components.textField(.init(id: "period", label: "Period", hint: "For example 2025-26", value: input.period ?? "", error: problems.message(for: "period"), width: "field--short")),
                    Components.dateField(.init(id: "interim_due", label: "Interim deadline (optional)", hint: "Leave blank for the DSPT's published interim date, if it has one",
                                               value: input.interim_due ?? "", error: problems.message(for: "interim_due"), width: "field--short")),
                    Components.dateField(.init(id: "final_due", label: "Final deadline", hint: deadlineHint(today: context.today),
                                               value: input.final_due ?? "", error: problems.message(for: "final_due"), width: "field--short")),
                    Components.textField(.init(id: "profile", label: "Target profile (optional)", hint: "A profile the framework ships, for example govassure-baseline",
                                               value: input.profile ?? "", error: problems.message(for: "profile"), width: "field--medium")),
                    .button(.type(.submit), .class("button"), .text("Start assessment"))
                ),
                .if(!assessments.isEmpty, .form(
                    .class("panel"), .method(.post), .action(SiteURL.copyAssessment(code).path), .attribute(named: "novalidate"),
                    .h2(.class("heading-m"), .text("Copy an assessment forward")),
                    .p(.text("Start the next period, or move to a new version of the framework, from an existing assessment. Results carry only where the items are the same (or mapped as equal); they come across as in progress for review, with their owner and evidence.")),
                    Components.csrfField(),
                    Components.selectField(.init(id: "source", label: "Copy from", value: copy?.source ?? "", error: problems.message(for: "source")),
                                           options: [("", "Choose an assessment")] + assessments.map { ($0.reference, "\($0.reference) \($0.frameworkID) \($0.frameworkVersion) \($0.period)") }),
                    Components.selectField(.init(id: "copy-framework", label: "Into framework", hint: "Leave as it is to keep the same version",
                                                 value: copy?.framework ?? "", error: copy == nil ? nil : problems.message(for: "framework")),
                                           options: [("", "The same framework and version")] + frameworkOptions, name: "framework"),
                    Components.textField(.init(id: "copy-period", label: "New period", hint: "For example 2026-27", value: copy?.period ?? "",
                                               error: copy == nil ? nil : problems.message(for: "period"), width: "field--short"), name: "period"),
                    Components.dateField(.init(id: "copy-final_due", label: "Final deadline", value: copy?.final_due ?? "",
                                               error: copy == nil ? nil : problems.message(for: "final_due"), width: "field--short"), name: "final_due"),
                    .button(.type(.submit), .class("button button--secondary"), .text("Copy forward"))
                ))
            ))
        )
        return Layout.response(context.shell("Compliance assessments", problems: !problems.isEmpty, section: .compliance), status: status, content)
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
