import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Runs the automated checks that answer items of an assessment: measures the figure from Assure's
/// own records, keeps it as system evidence attached to the item, and records the level it supports
/// unless a person has already approved a result (then the evidence is attached for them to weigh).
struct AutomatedCheckRunner {
    let assessments: Assessments
    let evidence: EvidenceLibrary

    struct Ran: Content {
        var check: String
        var item: String
        var level: String
        var figure: String
        var evidence: String
        var recorded: Bool
    }

    func run(on assessment: Assessment) async throws -> [Ran] {
        let catalogue = try assessments.frameworks.requireCatalogue(of: assessment)
        let targets = catalogue.items.flatMap { item in AutomatedCheck.checks(for: item.id, in: catalogue.id).map { ($0, item) } }
        guard !targets.isEmpty else { return [] }
        var riskFigures: (live: Int, overdue: Int)?
        if targets.contains(where: { $0.0.id == AutomatedCheck.riskReviews.id }) { riskFigures = try await riskReviewFigures() }
        var estate: EstateRollUp?
        if targets.contains(where: { [AutomatedCheck.unsupportedSoftware.id, AutomatedCheck.patching.id].contains($0.0.id) }) {
            estate = try await EstateSnapshots.rollUp(of: [assessments.organisation.id], on: try evidence.database.sqlDatabase)
        }
        let figures = riskFigures, estateFigures = estate, today = evidence.today
        let actor = evidence.context.audit.actor
        return try await evidence.database.writeTransaction { db in
            var ran: [Ran] = []
            for (check, item) in targets {
                let outcome: CheckOutcome
                switch check.id {
                case AutomatedCheck.riskReviews.id:
                    guard let figures else { continue }
                    outcome = RiskReviewRule.grade(live: figures.live, overdue: figures.overdue, allowed: item.levels, on: today)
                // Without an inventory the estate says nothing either way.
                case AutomatedCheck.unsupportedSoftware.id:
                    guard let estateFigures, estateFigures.devices > 0 else { continue }
                    outcome = EstateCheckRules.unsupportedSoftware(estateFigures, allowed: item.levels, on: today)
                case AutomatedCheck.patching.id:
                    guard let estateFigures, estateFigures.devices > 0 else { continue }
                    outcome = EstateCheckRules.patching(estateFigures, allowed: item.levels, on: today)
                default: continue
                }
                let system = try await evidence.addSystem(title: "\(check.title), \(outcome.measured)", figure: outcome.figure, check: check.id,
                                                          reviewBy: today.adding(days: 90), on: db)
                try await evidence.attach(system, to: assessment, item: item.id, catalogue: catalogue, on: db)
                let recorded = try await recordUnlessApproved(outcome, item: item.id, assessment: assessment, actor: actor, on: db)
                ran.append(Ran(check: check.id, item: item.id, level: outcome.level, figure: outcome.figure, evidence: system.reference, recorded: recorded))
            }
            return ran
        }
    }

    /// Live risks and how many are past their review date, with the register's own definitions.
    private func riskReviewFigures() async throws -> (live: Int, overdue: Int) {
        let sql = try evidence.database.sqlDatabase
        let register = RiskRegister(evidence.context)
        let (settings, matrix) = try await register.configuration()
        let figures = try await RiskQuery.headline(register, settings: settings, matrix: matrix, on: sql)
        return (figures.live, figures.reviewOverdue)
    }

    private func recordUnlessApproved(_ outcome: CheckOutcome, item: String, assessment: Assessment, actor: String, on db: any Database) async throws -> Bool {
        let existing = try await AssessmentResult.query(on: db).filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item).first()
        if existing?.itemStatus == .approved { return false }
        let result = existing ?? AssessmentResult()
        let before = result.level
        result.$assessment.id = try assessment.requireID()
        result.itemID = item
        result.level = outcome.level
        result.rationale = "Checked by Assure: \(outcome.figure)."
        result.status = AssessmentItemStatus.readyForReview.rawValue
        result.reviewerEmail = nil
        try await result.save(on: db)
        try await AuditTrail.append([evidence.context.audit.event(
            "automated-check", "assessment", "\(assessment.reference) \(assessment.frameworkID)@\(assessment.frameworkVersion) \(assessment.period)",
            organisation: assessments.organisation.odsCode, changes: ["item": .init(before: nil, after: item), "level": .init(before: before, after: outcome.level)])], on: db)
        return true
    }
}
