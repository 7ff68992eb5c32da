import AssureCore
import Fluent
import Foundation
import Plot

/// `/organisations/{code}/assessments`: the organisation's assessments with their progress, and the
/// forms to start one or copy one forward, sent back with their problems.
/// Model / View / Query: `load` reads, `Model` is what the page shows, `view` draws it.
enum AssessmentListPage {
    struct Model {
        var code: String
        var organisationName: String
        var today: CalendarDay
        var assessments: [Assessment] = []
        var progress: [UUID: AssessmentPages.Progress] = [:]
        /// Each assessment's framework as people name it ("Data Security and Protection Toolkit 2025-26").
        var frameworkTitles: [UUID: String] = [:]
        /// The frameworks one may start, as (key, label) for the select.
        var frameworkOptions: [(String, String)] = []
        var mayStart = false
        var input = Assessments.StartInput()
        var copy: AssessmentPages.CopyInput?
        var problems: [AssureError.FieldProblem] = []
    }

    static func load(_ context: OrganisationContext, frameworks: FrameworkLibrary) async throws -> Model {
        let assessments = try await Assessment.query(on: context.database).filter(\.$organisation.$id == context.organisation.id).sort(\.$number, .descending).all()
        var titles: [UUID: String] = [:]
        for assessment in assessments {
            if let id = assessment.id { titles[id] = "\(frameworks.catalogue(of: assessment)?.title ?? assessment.frameworkID) \(assessment.frameworkVersion)" }
        }
        return Model(code: context.organisation.odsCode, organisationName: context.organisation.name, today: context.today, assessments: assessments,
                     progress: try await AssessmentPages.Progress.load(assessments, frameworks: frameworks, on: context.database), frameworkTitles: titles,
                     frameworkOptions: frameworks.catalogues.map { ($0.key, "\($0.title) \($0.version)\($0.unverified ? " (some details unverified)" : "")") },
                     mayStart: context.may(.editAnyRecord))
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code
        return .group(
            Components.errorSummary(model.problems, fieldIDs: ["framework", "period", "interim_due", "final_due", "profile", "source"]),
            .h1(.text("Compliance assessments")),
            .p(.class("lede"), .text("\(model.organisationName)'s self-assessments against the DSPT, the NCSC CAF, Cyber Essentials, DTAC, DCB0129/0160 and the NHS Service Standard. "),
               .a(.href(SiteURL.evidenceLibrary(code).path), .text("Evidence library")), .text(" · "),
               .a(.href(SiteURL.compliancePositions(code).path), .text("Positions across organisations"))),
            model.assessments.isEmpty
                ? Components.emptyState(title: "No assessments yet", message: "Start one below, for example the DSPT for this year.", actions: [])
                : .group(.h2(.class("heading-m"), .text("Progress over time")), table(model)),
            .if(model.mayStart, .group(startForm(model), .if(!model.assessments.isEmpty, copyForm(model))))
        )
    }

    private static func table(_ model: Model) -> Node<HTML.BodyContext> {
        Components.scrollableTable(label: "Assessments", .table(
            .class("table"),
            .thead(.tr(.th(.text("Assessment")), .th(.text("Framework")), .th(.text("Period")), .th(.text("Assessed")),
                       .th(.text("At the top level")), .th(.text("Below target")), .th(.text("Final deadline")))),
            // Periods of one framework together, newest first, so the trend reads down the table.
            .tbody(.forEach(model.assessments.sorted { ($0.frameworkID, $1.period, $0.frameworkVersion) < ($1.frameworkID, $0.period, $1.frameworkVersion) }) { assessment in
                let figures = model.progress[assessment.id ?? UUID()]
                return .tr(.td(.a(.href(SiteURL.assessment(model.code, assessment.reference).path), .text(assessment.reference))),
                           .td(.text(model.frameworkTitles[assessment.id ?? UUID()] ?? assessment.frameworkID)),
                           .td(.text(assessment.period)),
                           .td(.text(figures.map { "\($0.assessed) of \($0.items)" } ?? "—")),
                           .td(figures.map { Components.meter(part: $0.top, of: $0.items) } ?? .text("—")),
                           .td(.text(figures.map { String($0.belowTarget) } ?? "—")),
                           .td(.span(.class("nowrap"), .text(CalendarDay.nhsStyle(assessment.finalDue)))))
            })))
    }

    private static func startForm(_ model: Model) -> Node<HTML.BodyContext> {
        let input = model.input, problems = model.copy == nil ? model.problems : []
        return .form(
            .class("panel"), .method(.post), .action(SiteURL.assessments(model.code).path), .attribute(named: "novalidate"),
            .h2(.class("heading-m"), .text("Start an assessment")),
            Components.csrfField(),
            Components.selectField(.init(id: "framework", label: "Framework", value: input.framework ?? "", error: problems.message(for: "framework")),
                                   options: [("", "Choose a framework")] + model.frameworkOptions),
            Components.textField(.init(id: "period", label: "Period", hint: "For example 2025-26", value: input.period ?? "", error: problems.message(for: "period"), width: "field--short")),
            Components.dateField(.init(id: "interim_due", label: "Interim deadline (optional)", hint: "Leave blank for the DSPT's published interim date, if it has one",
                                       value: input.interim_due ?? "", error: problems.message(for: "interim_due"), width: "field--short")),
            Components.dateField(.init(id: "final_due", label: "Final deadline", hint: AssessmentPages.deadlineHint(today: model.today),
                                       value: input.final_due ?? "", error: problems.message(for: "final_due"), width: "field--short")),
            Components.textField(.init(id: "profile", label: "Target profile (optional)", hint: "A profile the framework ships, for example govassure-baseline",
                                       value: input.profile ?? "", error: problems.message(for: "profile"), width: "field--medium")),
            .button(.type(.submit), .class("button"), .text("Start assessment"))
        )
    }

    private static func copyForm(_ model: Model) -> Node<HTML.BodyContext> {
        let copy = model.copy, problems = model.problems
        return .form(
            .class("panel"), .method(.post), .action(SiteURL.copyAssessment(model.code).path), .attribute(named: "novalidate"),
            .h2(.class("heading-m"), .text("Copy an assessment forward")),
            .p(.text("Start the next period, or move to a new version of the framework, from an existing assessment. Results carry only where the items are the same (or mapped as equal); they come across as in progress for review, with their owner and evidence.")),
            Components.csrfField(),
            Components.selectField(.init(id: "source", label: "Copy from", value: copy?.source ?? "", error: problems.message(for: "source")),
                                   options: [("", "Choose an assessment")] + model.assessments.map { ($0.reference, "\($0.reference) \($0.frameworkID) \($0.frameworkVersion) \($0.period)") }),
            Components.selectField(.init(id: "copy-framework", label: "Into framework", hint: "Leave as it is to keep the same version",
                                         value: copy?.framework ?? "", error: copy == nil ? nil : problems.message(for: "framework")),
                                   options: [("", "The same framework and version")] + model.frameworkOptions, name: "framework"),
            Components.textField(.init(id: "copy-period", label: "New period", hint: "For example 2026-27", value: copy?.period ?? "",
                                       error: copy == nil ? nil : problems.message(for: "period"), width: "field--short"), name: "period"),
            Components.dateField(.init(id: "copy-final_due", label: "Final deadline", value: copy?.final_due ?? "",
                                       error: copy == nil ? nil : problems.message(for: "final_due"), width: "field--short"), name: "final_due"),
            .button(.type(.submit), .class("button button--secondary"), .text("Copy forward"))
        )
    }
}
