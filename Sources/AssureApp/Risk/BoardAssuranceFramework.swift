import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A strategic objective on an organisation's Board Assurance Framework, with its executive lead,
/// the committee that receives assurance, and the board's overall assurance rating.
final class StrategicObjective: Model, @unchecked Sendable {
    static let schema = "strategic_objectives"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "number") var number: Int
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "lead_email") var leadEmail: String
    @Field(key: "committee") var committee: String
    @Field(key: "assurance") var assurance: String
    @Field(key: "assurance_rationale") var assuranceRationale: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var reference: String { "SO\(number)" }
    var level: AssuranceLevel { AssuranceLevel(rawValue: assurance) ?? .none }
}

/// A register risk recorded as a principal risk to an objective.
final class ObjectiveRisk: Model, @unchecked Sendable {
    static let schema = "objective_risks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "objective_id") var objective: StrategicObjective
    @Parent(key: "risk_id") var risk: Risk

    init() {}
}

/// Evidence that controls work (or do not): a report, an audit, a committee review.
final class AssuranceSource: Model, @unchecked Sendable {
    static let schema = "assurance_sources"

    @ID(key: .id) var id: UUID?
    @Parent(key: "objective_id") var objective: StrategicObjective
    @Field(key: "line") var line: Int
    @Field(key: "description") var description: String
    @Field(key: "outcome") var outcome: String
    @Field(key: "reported") var reported: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var assuranceLine: AssuranceLine { AssuranceLine(rawValue: line) ?? .first }
    var assuranceOutcome: AssuranceOutcome { AssuranceOutcome(rawValue: outcome) ?? .negative }
}

struct CreateBoardAssuranceFramework: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StrategicObjective.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("lead_email", .string, .required)
            .field("committee", .string, .required)
            .field("assurance", .string, .required)
            .field("assurance_rationale", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "organisation_id", "number")
            .create()
        try await database.schema(ObjectiveRisk.schema)
            .id()
            .field("objective_id", .uuid, .required, .references(StrategicObjective.schema, "id", onDelete: .cascade))
            .field("risk_id", .uuid, .required, .references(Risk.schema, "id", onDelete: .cascade))
            .unique(on: "objective_id", "risk_id")
            .create()
        try await database.schema(AssuranceSource.schema)
            .id()
            .field("objective_id", .uuid, .required, .references(StrategicObjective.schema, "id", onDelete: .cascade))
            .field("line", .int, .required)
            .field("description", .string, .required)
            .field("outcome", .string, .required)
            .field("reported", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [AssuranceSource.schema, ObjectiveRisk.schema, StrategicObjective.schema] { try await database.schema(schema).delete() }
    }
}

/// Changes to the BAF, each audited in its transaction.
struct BoardAssuranceChanges {
    let register: RiskRegister

    var organisation: OrganisationRecord { register.organisation }
    var database: any Database { register.database }

    struct ObjectiveInput: Content {
        var title: String?
        var description: String?
        var lead: String?
        var committee: String?
    }

    func createObjective(_ input: ObjectiveInput) async throws -> StrategicObjective {
        var problems: [RuleError] = []
        let title = (input.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty || title.count > 200 { problems.append(RuleError(field: "title", message: "Name the strategic objective (up to 200 characters)")) }
        let description = (input.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if description.count > 4000 { problems.append(RuleError(field: "description", message: "Keep the description to 4,000 characters or fewer")) }
        let committee = (input.committee ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if committee.count > 200 { problems.append(RuleError(field: "committee", message: "Keep the committee's name to 200 characters or fewer")) }
        let lead = try? EmailAddress(input.lead ?? "")
        if lead == nil { problems.append(RuleError(field: "lead", message: "Name the executive lead by their email address")) }
        else if !(try await register.context.eligibleOwners()).contains(lead!.value) {
            problems.append(RuleError(field: "lead", message: "\(lead!.value) has no role in \(organisation.name)"))
        }
        guard problems.isEmpty, let lead else { throw AssureError.invalid(problems) }
        return try await database.writeTransaction { db in
            let objective = StrategicObjective()
            objective.$organisation.id = organisation.id
            objective.number = try await ReferenceAllocator.next(.objective, organisation: organisation.id, on: db).lowerBound
            objective.title = title
            objective.description = description
            objective.leadEmail = lead.value
            objective.committee = committee
            objective.assurance = AssuranceLevel.none.rawValue
            objective.assuranceRationale = ""
            try await objective.create(on: db)
            try await AuditTrail.append([event("create", objective, ["title": .init(before: nil, after: title), "lead": .init(before: nil, after: lead.value),
                                                                     "committee": .init(before: nil, after: committee)])], on: db)
            return objective
        }
    }

    func link(_ risk: Risk, to objective: StrategicObjective) async throws {
        try await database.writeTransaction { db in
            let exists = try await ObjectiveRisk.query(on: db).filter(\.$objective.$id == objective.requireID()).filter(\.$risk.$id == risk.requireID()).count() > 0
            guard !exists else { return }
            let link = ObjectiveRisk()
            link.$objective.id = try objective.requireID()
            link.$risk.id = try risk.requireID()
            try await link.create(on: db)
            try await AuditTrail.append([event("link-risk", objective, ["principal_risk": .init(before: nil, after: risk.reference)])], on: db)
        }
    }

    func unlink(_ risk: Risk, from objective: StrategicObjective) async throws {
        try await database.writeTransaction { db in
            try await ObjectiveRisk.query(on: db).filter(\.$objective.$id == objective.requireID()).filter(\.$risk.$id == risk.requireID()).delete()
            try await AuditTrail.append([event("unlink-risk", objective, ["principal_risk": .init(before: risk.reference, after: nil)])], on: db)
        }
    }

    func addSource(to objective: StrategicObjective, line rawLine: String, description raw: String, outcome rawOutcome: String, reported rawReported: String) async throws {
        var problems: [RuleError] = []
        let line = Int(rawLine).flatMap(AssuranceLine.init(rawValue:))
        if line == nil { problems.append(RuleError(field: "line", message: "Choose the 1st, 2nd or 3rd line")) }
        let description = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if description.isEmpty || description.count > 2000 { problems.append(RuleError(field: "source", message: "Describe the source of assurance (up to 2,000 characters)")) }
        let outcome = AssuranceOutcome(rawValue: rawOutcome.trimmingCharacters(in: .whitespaces).lowercased())
        if outcome == nil { problems.append(RuleError(field: "outcome", message: "Say whether it gave positive or negative assurance")) }
        let reported = CalendarDay(rawReported)
        if reported == nil { problems.append(RuleError(field: "reported", message: CalendarDay.formatMessage)) }
        if let reported, reported > register.today { problems.append(RuleError(field: "reported", message: "The report date cannot be in the future")) }
        guard problems.isEmpty, let line, let outcome, let reported else { throw AssureError.invalid(problems) }
        try await database.writeTransaction { db in
            let source = AssuranceSource()
            source.$objective.id = try objective.requireID()
            source.line = line.rawValue
            source.description = description
            source.outcome = outcome.rawValue
            source.reported = reported.description
            try await source.create(on: db)
            try await AuditTrail.append([event("add-assurance", objective, [
                "source": .init(before: nil, after: description), "line": .init(before: nil, after: String(line.rawValue)),
                "outcome": .init(before: nil, after: outcome.rawValue)])], on: db)
        }
    }

    func rate(_ objective: StrategicObjective, level rawLevel: String, rationale raw: String) async throws {
        var problems: [RuleError] = []
        let level = AssuranceLevel(rawValue: rawLevel.trimmingCharacters(in: .whitespaces).lowercased())
        if level == nil { problems.append(RuleError(field: "assurance", message: "Choose substantial, reasonable, limited or no assurance")) }
        let rationale = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if rationale.isEmpty || rationale.count > 2000 { problems.append(RuleError(field: "assurance_rationale", message: "Say why (up to 2,000 characters)")) }
        guard problems.isEmpty, let level else { throw AssureError.invalid(problems) }
        try await database.writeTransaction { db in
            let before = objective.assurance
            objective.assurance = level.rawValue
            objective.assuranceRationale = rationale
            try await objective.update(on: db)
            try await AuditTrail.append([event("rate-assurance", objective, ["assurance": .init(before: before, after: level.rawValue),
                                                                             "rationale": .init(before: nil, after: rationale)])], on: db)
        }
    }

    func find(_ reference: String) async throws -> StrategicObjective {
        let digits = reference.uppercased().hasPrefix("SO") ? String(reference.dropFirst(2)) : reference
        guard let number = Int(digits),
              let objective = try await StrategicObjective.query(on: database).filter(\.$organisation.$id == organisation.id).filter(\.$number == number).first() else {
            throw AssureError.notFound("\(organisation.name) has no strategic objective \(reference)")
        }
        return objective
    }

    private func event(_ action: String, _ objective: StrategicObjective, _ changes: [String: AuditEvent.FieldChange]) -> AuditEvent {
        register.audit.event(action, "strategic-objective", objective.reference, organisation: organisation.odsCode, changes: changes.filter { $0.value.before != $0.value.after })
    }
}

/// Everything the BAF page and API show for one objective, read in a few queries.
struct ObjectiveView: Sendable {
    var objective: StrategicObjective
    var risks: [Risk]
    var controls: [UUID: [RiskControl]]
    var actions: [UUID: [RiskAction]]
    var sources: [AssuranceSource]

    var suggested: AssuranceLevel {
        AssuranceLevel.suggested(controls: controls.values.joined().map { ControlEffectiveness(rawValue: $0.effectiveness) ?? .ineffective },
                                 sources: sources.map { ($0.assuranceLine, $0.assuranceOutcome) })
    }

    static func all(in organisation: OrganisationRecord, on db: any Database) async throws -> [ObjectiveView] {
        let objectives = try await StrategicObjective.query(on: db).filter(\.$organisation.$id == organisation.id).sort(\.$number).all()
        let ids = objectives.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let links = try await ObjectiveRisk.query(on: db).filter(\.$objective.$id ~~ ids).with(\.$risk).all()
        let riskIDs = links.compactMap { $0.risk.id }
        let controls = riskIDs.isEmpty ? [] : try await RiskControl.query(on: db).filter(\.$risk.$id ~~ riskIDs).all()
        let actions = riskIDs.isEmpty ? [] : try await RiskAction.query(on: db).filter(\.$risk.$id ~~ riskIDs).sort(\.$due).all()
        let sources = try await AssuranceSource.query(on: db).filter(\.$objective.$id ~~ ids).sort(\.$reported, .descending).all()
        let controlsByRisk = Dictionary(grouping: controls, by: { $0.$risk.id })
        let actionsByRisk = Dictionary(grouping: actions, by: { $0.$risk.id })
        return objectives.map { objective in
            let risks = links.filter { $0.$objective.id == objective.id }.map(\.risk).sorted { $0.currentScore > $1.currentScore }
            let ids = Set(risks.compactMap(\.id))
            return ObjectiveView(objective: objective, risks: risks, controls: controlsByRisk.filter { ids.contains($0.key) },
                                 actions: actionsByRisk.filter { ids.contains($0.key) }, sources: sources.filter { $0.$objective.id == objective.id })
        }
    }
}

extension BoardAssuranceChanges {
    /// One change to an objective from its page or the API: linking or unlinking a principal
    /// risk, adding a source of assurance, or rating the assurance.
    func perform(_ action: SiteURL.ObjectiveAction, _ objective: StrategicObjective, form: [String: String]) async throws {
        switch action {
        case .link, .unlink:
            guard let reference = form["risk"], !reference.isEmpty else {
                throw AssureError.invalid([RuleError(field: "risk", message: "Choose a risk from the register")])
            }
            let risk: Risk
            do { risk = try await register.find(reference) } catch {
                throw AssureError.invalid([RuleError(field: "risk", message: "\(organisation.name) has no risk \(reference)")])
            }
            if action == .link { try await link(risk, to: objective) } else { try await unlink(risk, from: objective) }
        case .sources:
            try await addSource(to: objective, line: form["line"] ?? "", description: form["source"] ?? "", outcome: form["outcome"] ?? "",
                                        reported: form["reported"] ?? "")
        case .rating:
            try await rate(objective, level: form["assurance"] ?? "", rationale: form["assurance_rationale"] ?? "")
        }
    }
}
