import AssureCore
import Fluent
import Foundation
import SQLKit

/// One risk on an organisation's register. Scores are kept beside their likelihood and
/// consequence so lists sort and filter in SQL; dates are YYYY-MM-DD text (calendar days).
final class Risk: Model, @unchecked Sendable {
    static let schema = "risks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "number") var number: Int
    @Field(key: "title") var title: String
    @Field(key: "cause") var cause: String
    @Field(key: "event") var event: String
    @Field(key: "effect") var effect: String
    @Field(key: "category") var category: String
    @Field(key: "owner_email") var ownerEmail: String
    @OptionalField(key: "handler_email") var handlerEmail: String?
    @Field(key: "department") var department: String
    @Field(key: "objective") var objective: String
    @Field(key: "source_reference") var sourceReference: String
    @Field(key: "opened") var opened: String
    @Field(key: "status") var status: String
    @Field(key: "matrix_key") var matrixKey: String
    @Field(key: "initial_likelihood") var initialLikelihood: Int
    @Field(key: "initial_consequence") var initialConsequence: Int
    @Field(key: "initial_score") var initialScore: Int
    @Field(key: "current_likelihood") var currentLikelihood: Int
    @Field(key: "current_consequence") var currentConsequence: Int
    @Field(key: "current_score") var currentScore: Int
    @Field(key: "target_likelihood") var targetLikelihood: Int
    @Field(key: "target_consequence") var targetConsequence: Int
    @Field(key: "target_score") var targetScore: Int
    @Field(key: "gaps_in_control") var gapsInControl: String
    @Field(key: "gaps_in_assurance") var gapsInAssurance: String
    @Field(key: "last_reviewed") var lastReviewed: String
    @Field(key: "next_review") var nextReview: String
    /// The current score at the review before the last one, for "movement since the last review".
    @OptionalField(key: "previous_score") var previousScore: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var reference: String { RiskReference.format(number) }
    var current: RiskRating { RiskRating(likelihood: currentLikelihood, consequence: currentConsequence) }
    var initial: RiskRating { RiskRating(likelihood: initialLikelihood, consequence: initialConsequence) }
    var target: RiskRating { RiskRating(likelihood: targetLikelihood, consequence: targetConsequence) }
    var riskCategory: RiskCategory { RiskCategory(rawValue: category) ?? .operational }
    var riskStatus: RiskStatus { RiskStatus(rawValue: status) ?? .open }
}

/// A control already in place, and how well it works.
final class RiskControl: Model, @unchecked Sendable {
    static let schema = "risk_controls"

    @ID(key: .id) var id: UUID?
    @Parent(key: "risk_id") var risk: Risk
    @Field(key: "description") var description: String
    @Field(key: "effectiveness") var effectiveness: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// Something someone will do to reduce the risk, by a date.
final class RiskAction: Model, @unchecked Sendable {
    static let schema = "risk_actions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "risk_id") var risk: Risk
    @Field(key: "description") var description: String
    @Field(key: "owner_email") var ownerEmail: String
    @Field(key: "due") var due: String
    @Field(key: "status") var status: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var actionStatus: RiskActionStatus { RiskActionStatus(rawValue: status) ?? .notStarted }
}

/// Every score a risk has had: when, who, what and why.
final class RiskScoreChange: Model, @unchecked Sendable {
    static let schema = "risk_score_changes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "risk_id") var risk: Risk
    @Field(key: "changed_at") var changedAt: Date
    @Field(key: "actor") var actor: String
    @Field(key: "likelihood") var likelihood: Int
    @Field(key: "consequence") var consequence: Int
    @Field(key: "score") var score: Int
    @Field(key: "rationale") var rationale: String

    init() {}
}

/// An organisation's risk settings (matrix, appetite, escalation threshold) and its next risk
/// number; and any matrix an organisation defines for itself.
final class RiskSettingsRecord: Model, @unchecked Sendable {
    static let schema = "risk_settings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "settings") var settingsJSON: String
    /// Kept for databases of earlier releases; numbers now come from `ReferenceAllocator`.
    @Field(key: "next_number") var nextNumber: Int

    init() {}
}

final class RiskMatrixRecord: Model, @unchecked Sendable {
    static let schema = "risk_matrices"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "key") var key: String
    @Field(key: "definition") var definition: String

    init() {}
}

struct CreateRiskRegister: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Risk.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("title", .string, .required)
            .field("cause", .string, .required)
            .field("event", .string, .required)
            .field("effect", .string, .required)
            .field("category", .string, .required)
            .field("owner_email", .string, .required)
            .field("handler_email", .string)
            .field("department", .string, .required)
            .field("objective", .string, .required)
            .field("source_reference", .string, .required)
            .field("opened", .string, .required)
            .field("status", .string, .required)
            .field("matrix_key", .string, .required)
            .field("initial_likelihood", .int, .required)
            .field("initial_consequence", .int, .required)
            .field("initial_score", .int, .required)
            .field("current_likelihood", .int, .required)
            .field("current_consequence", .int, .required)
            .field("current_score", .int, .required)
            .field("target_likelihood", .int, .required)
            .field("target_consequence", .int, .required)
            .field("target_score", .int, .required)
            .field("gaps_in_control", .string, .required)
            .field("gaps_in_assurance", .string, .required)
            .field("last_reviewed", .string, .required)
            .field("next_review", .string, .required)
            .field("previous_score", .int)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "organisation_id", "number")
            .create()
        try await database.schema(RiskControl.schema)
            .id()
            .field("risk_id", .uuid, .required, .references(Risk.schema, "id", onDelete: .cascade))
            .field("description", .string, .required)
            .field("effectiveness", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(RiskAction.schema)
            .id()
            .field("risk_id", .uuid, .required, .references(Risk.schema, "id", onDelete: .cascade))
            .field("description", .string, .required)
            .field("owner_email", .string, .required)
            .field("due", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(RiskScoreChange.schema)
            .id()
            .field("risk_id", .uuid, .required, .references(Risk.schema, "id", onDelete: .cascade))
            .field("changed_at", .datetime, .required)
            .field("actor", .string, .required)
            .field("likelihood", .int, .required)
            .field("consequence", .int, .required)
            .field("score", .int, .required)
            .field("rationale", .string, .required)
            .create()
        try await database.schema(RiskSettingsRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("settings", .string, .required)
            .field("next_number", .int, .required)
            .unique(on: "organisation_id")
            .create()
        try await database.schema(RiskMatrixRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("definition", .string, .required)
            .unique(on: "organisation_id", "key")
            .create()
        let sql = try database.sqlDatabase
        try await sql.create(index: "risks_register_idx").on(Risk.schema).column("organisation_id").column("status").column("current_score").run()
        try await sql.create(index: "risk_controls_risk_idx").on(RiskControl.schema).column("risk_id").run()
        try await sql.create(index: "risk_actions_risk_idx").on(RiskAction.schema).column("risk_id").run()
        try await sql.create(index: "risk_score_changes_risk_idx").on(RiskScoreChange.schema).column("risk_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [RiskMatrixRecord.schema, RiskSettingsRecord.schema, RiskScoreChange.schema, RiskAction.schema, RiskControl.schema, Risk.schema] {
            try await database.schema(schema).delete()
        }
    }
}

extension Risk {
    /// The risk as the fields of its form (and the API's body), for changing it.
    var draftInput: RiskDraft.Input {
        var input = RiskDraft.Input()
        input.title = title; input.cause = cause; input.event = event; input.effect = effect
        input.category = category; input.owner = ownerEmail; input.handler = handlerEmail ?? ""
        input.department = department; input.objective = objective; input.source_reference = sourceReference
        input.opened = opened; input.status = status
        input.initial_likelihood = String(initialLikelihood); input.initial_consequence = String(initialConsequence)
        input.current_likelihood = String(currentLikelihood); input.current_consequence = String(currentConsequence)
        input.target_likelihood = String(targetLikelihood); input.target_consequence = String(targetConsequence)
        return input
    }
}
