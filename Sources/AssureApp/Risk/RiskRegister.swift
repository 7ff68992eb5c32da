import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Reads and changes one organisation's risk register. Every change is audited in its own
/// transaction, and every score a risk takes is kept in its history with who and why.
struct RiskRegister {
    let context: OrganisationContext

    init(_ context: OrganisationContext) { self.context = context }

    var database: any Database { context.database }
    var audit: AuditContext { context.audit }
    var organisation: OrganisationRecord { context.organisation }
    var today: CalendarDay { context.today }

    // MARK: - Settings and matrix

    /// The organisation's settings and the matrix they name (the NHS 5×5 until changed).
    func configuration(on db: (any Database)? = nil) async throws -> (RiskSettings, RiskMatrix) {
        try await Self.configuration(of: organisation.id, on: db ?? database)
    }

    /// The same for any organisation, for pages that show risks beside other things (the
    /// dashboard, the board pack, escalations from below) without a register of their own.
    /// One statement for both, read on every risk page: the settings row and the organisation's own
    /// matrices (a handful at most), the one in use picked here.
    static func configuration(of organisation: UUID, on db: any Database) async throws -> (RiskSettings, RiskMatrix) {
        let rows = try await db.sqlDatabase.raw("""
            SELECT 'settings' AS kind, '' AS matrix_key, settings AS body FROM risk_settings WHERE organisation_id = \(bind: organisation)
            UNION ALL SELECT 'matrix' AS kind, "key" AS matrix_key, definition AS body FROM risk_matrices WHERE organisation_id = \(bind: organisation)
            """).all()
        var settings = RiskSettings.standard
        var own: [String: String] = [:]
        for row in rows {
            let body = try row.decode(column: "body", as: String.self)
            if try row.decode(column: "kind", as: String.self) == "settings" {
                settings = try JSONDecoder().decode(RiskSettings.self, from: Data(body.utf8))
            } else {
                own[try row.decode(column: "matrix_key", as: String.self)] = body
            }
        }
        if let definition = own[settings.matrixKey] {
            return (settings, try JSONDecoder().decode(RiskMatrix.self, from: Data(definition.utf8)))
        }
        return (settings, RiskMatrix.standard.first { $0.key == settings.matrixKey } ?? .nhs5x5)
    }

    func matrix(_ key: String, on db: (any Database)? = nil) async throws -> RiskMatrix {
        try await Self.matrix(key, of: organisation.id, on: db ?? database)
    }

    static func matrix(_ key: String, of organisation: UUID, on db: any Database) async throws -> RiskMatrix {
        if let record = try await RiskMatrixRecord.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$key == key).first() {
            return try JSONDecoder().decode(RiskMatrix.self, from: Data(record.definition.utf8))
        }
        return RiskMatrix.standard.first { $0.key == key } ?? .nhs5x5
    }

    /// The matrices the organisation may choose: those Assure ships and its own.
    func matrices() async throws -> [RiskMatrix] {
        let own = try await RiskMatrixRecord.query(on: database).filter(\.$organisation.$id == organisation.id).sort(\.$key).all()
        return try RiskMatrix.standard.filter { standard in !own.contains { $0.key == standard.key } }
            + own.map { try JSONDecoder().decode(RiskMatrix.self, from: Data($0.definition.utf8)) }
    }

    func saveSettings(_ settings: RiskSettings) async throws {
        let matrix = try await matrix(settings.matrixKey)
        guard matrix.key == settings.matrixKey else {
            throw AssureError.invalid([RuleError(field: "matrix", message: "No matrix has the key '\(settings.matrixKey)'")])
        }
        do { try settings.validate(against: matrix) } catch { throw AssureError.invalid(error.problems) }
        try await database.writeTransaction { db in
            let (before, _) = try await configuration(on: db)
            let record = try await settingsRecord(on: db)
            record.settingsJSON = String(decoding: try Self.encoder.encode(settings), as: UTF8.self)
            try await record.save(on: db)
            var changes: [String: AuditEvent.FieldChange] = [
                "matrix": .init(before: before.matrixKey, after: settings.matrixKey),
                "escalation_threshold": .init(before: String(before.escalationThreshold), after: String(settings.escalationThreshold)),
            ]
            for category in RiskCategory.allCases {
                changes["appetite_\(category.rawValue)"] = .init(before: before.appetite[category].map(String.init), after: settings.appetite[category].map(String.init))
            }
            try await AuditTrail.append([event("update", "risk-settings", organisation.odsCode, changes)], on: db)
        }
    }

    /// Adds or replaces one of the organisation's own matrices, after checking it has no gaps or overlaps.
    func saveMatrix(_ matrix: RiskMatrix) async throws {
        do { try matrix.validate() } catch { throw AssureError.invalid(error.problems) }
        if RiskMatrix.standard.contains(where: { $0.key == matrix.key }) && matrix.table != RiskMatrix.standard.first(where: { $0.key == matrix.key })?.table {
            throw AssureError.invalid([RuleError(field: "key", message: "'\(matrix.key)' is a matrix Assure ships; give yours another key, or change only its bands and descriptors")])
        }
        try await database.writeTransaction { db in
            let existing = try await RiskMatrixRecord.query(on: db).filter(\.$organisation.$id == organisation.id).filter(\.$key == matrix.key).first()
            let record = existing ?? RiskMatrixRecord()
            record.$organisation.id = organisation.id
            record.key = matrix.key
            record.definition = String(decoding: try Self.encoder.encode(matrix), as: UTF8.self)
            try await record.save(on: db)
            try await AuditTrail.append([event(existing == nil ? "create" : "update", "risk-matrix", matrix.key,
                                               ["definition": .init(before: existing == nil ? nil : "previous", after: "\(matrix.likelihood.count)×\(matrix.consequence.count), \(matrix.bands.count) bands")])], on: db)
        }
    }

    private func settingsRecord(on db: any Database) async throws -> RiskSettingsRecord {
        if let record = try await RiskSettingsRecord.query(on: db).filter(\.$organisation.$id == organisation.id).first() { return record }
        let record = RiskSettingsRecord()
        record.$organisation.id = organisation.id
        record.settingsJSON = String(decoding: try Self.encoder.encode(RiskSettings.standard), as: UTF8.self)
        record.nextNumber = 1
        return record
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    // MARK: - Owners

    func checkPeople(_ draft: RiskDraft, owners: Set<String>) throws {
        var problems: [RuleError] = []
        if !owners.contains(draft.owner.value) {
            problems.append(RuleError(field: "owner", message: "\(draft.owner.value) has no role in \(organisation.name), so cannot own its risks"))
        }
        if let handler = draft.handler, !owners.contains(handler.value) {
            problems.append(RuleError(field: "handler", message: "\(handler.value) has no role in \(organisation.name)"))
        }
        if !problems.isEmpty { throw AssureError.invalid(problems) }
    }

    // MARK: - Changes

    /// Parses and checks a risk against the organisation's matrix and people.
    func draft(from input: RiskDraft.Input, matrix: RiskMatrix, owners: Set<String>) throws -> RiskDraft {
        switch RiskDraft.parse(input, matrix: matrix, today: today) {
        case .failure(let violations): throw AssureError.invalid(violations.problems)
        case .success(let draft):
            try checkPeople(draft, owners: owners)
            return draft
        }
    }

    func create(_ input: RiskDraft.Input) async throws -> Risk {
        let (_, matrix) = try await configuration()
        let draft = try draft(from: input, matrix: matrix, owners: try await context.eligibleOwners())
        return try await database.writeTransaction { db in
            let risks = try await insert([draft], matrix: matrix, on: db)
            try await AuditTrail.append([event("create", "risk", risks[0].reference, Self.fields(of: risks[0]))], on: db)
            return risks[0]
        }
    }

    /// Imports a whole file (e.g. a Datix export): columns mapped to fields, every row checked,
    /// then all risks written in one transaction with an audit entry each, or nothing.
    func importFile(_ text: String, mapping overrides: [String: String]) async throws -> Int {
        let table = try CSVTable.read(text, expecting: RiskDraft.Input.fields.joined(separator: ","))
        let mapping: [String: String]
        switch RiskImport.mapping(header: table.header, overrides: overrides) {
        case .failure(let violations): throw AssureError.invalid(violations.problems)
        case .success(let found): mapping = found
        }
        let (_, matrix) = try await configuration()
        let drafts: [RiskDraft]
        switch RiskImport.drafts(table.rows, mapping: mapping, matrix: matrix, today: today, owners: try await context.eligibleOwners()) {
        case .failure(let violations): throw AssureError.invalid(violations.problems)
        case .success(let found): drafts = found
        }
        return try await database.writeTransaction { db in
            let risks = try await insert(drafts, matrix: matrix, on: db)
            try await AuditTrail.append(risks.map { event("import", "risk", $0.reference, Self.fields(of: $0)) }, on: db)
            return risks.count
        }
    }

    /// Inserts risks with the next numbers and their first history entries, with SQLKit in
    /// chunks (under SQLite's 32,766 bound values a statement); the caller audits.
    func insert(_ drafts: [RiskDraft], matrix: RiskMatrix, on db: any Database) async throws -> [Risk] {
        let sql = try db.sqlDatabase
        guard !drafts.isEmpty else { return [] }
        var number = try await ReferenceAllocator.next(.risk, count: drafts.count, organisation: organisation.id, on: db).lowerBound
        let now = context.clock.now()
        var risks: [Risk] = []
        risks.reserveCapacity(drafts.count)
        for draft in drafts {
            let risk = Risk()
            risk.id = UUID()
            risk.$id.exists = true
            risk.$organisation.id = organisation.id
            risk.number = number
            number += 1
            apply(draft, to: risk, matrix: matrix)
            risk.matrixKey = matrix.key
            risk.gapsInControl = ""
            risk.gapsInAssurance = ""
            risk.lastReviewed = draft.opened.description
            risk.nextReview = CalendarDay(RiskReview.nextDue(lastReviewed: draft.opened.date, score: risk.currentScore, matrix: matrix)).description
            risk.createdAt = now
            risk.updatedAt = now
            risks.append(risk)
        }
        for start in stride(from: 0, to: risks.count, by: 500) {
            let insert = sql.insert(into: Risk.schema).columns(Self.riskColumns)
            for risk in risks[start..<min(start + 500, risks.count)] { insert.values(Self.values(of: risk)) }
            try await insert.run()
        }
        for start in stride(from: 0, to: risks.count, by: 2000) {
            let insert = sql.insert(into: RiskScoreChange.schema).columns("id", "risk_id", "changed_at", "actor", "likelihood", "consequence", "score", "rationale")
            for risk in risks[start..<min(start + 2000, risks.count)] {
                insert.values([SQLBind(UUID()), SQLBind(risk.id!), SQLBind(now), SQLBind(audit.actor), SQLBind(risk.currentLikelihood),
                               SQLBind(risk.currentConsequence), SQLBind(risk.currentScore), SQLBind("Risk opened")])
            }
            try await insert.run()
        }
        return risks
    }

    static let riskColumns = ["id", "organisation_id", "number", "title", "cause", "event", "effect", "category", "owner_email", "handler_email",
                              "department", "objective", "source_reference", "opened", "status", "matrix_key", "initial_likelihood",
                              "initial_consequence", "initial_score", "current_likelihood", "current_consequence", "current_score",
                              "target_likelihood", "target_consequence", "target_score", "gaps_in_control", "gaps_in_assurance",
                              "last_reviewed", "next_review", "previous_score", "created_at", "updated_at"]

    static func values(of risk: Risk) -> [any SQLExpression] {
        let values: [any Encodable & Sendable] = [
            risk.id!, risk.$organisation.id, risk.number, risk.title, risk.cause, risk.event, risk.effect, risk.category, risk.ownerEmail,
            risk.handlerEmail, risk.department, risk.objective, risk.sourceReference, risk.opened, risk.status, risk.matrixKey,
            risk.initialLikelihood, risk.initialConsequence, risk.initialScore, risk.currentLikelihood, risk.currentConsequence, risk.currentScore,
            risk.targetLikelihood, risk.targetConsequence, risk.targetScore, risk.gapsInControl, risk.gapsInAssurance,
            risk.lastReviewed, risk.nextReview, risk.previousScore, risk.createdAt, risk.updatedAt,
        ]
        return values.map { SQLBind($0) }
    }

    func apply(_ draft: RiskDraft, to risk: Risk, matrix: RiskMatrix) {
        risk.title = draft.title
        risk.cause = draft.cause
        risk.event = draft.event
        risk.effect = draft.effect
        risk.category = draft.category.rawValue
        risk.ownerEmail = draft.owner.value
        risk.handlerEmail = draft.handler?.value
        risk.department = draft.department
        risk.objective = draft.objective
        risk.sourceReference = draft.sourceReference
        risk.opened = draft.opened.description
        risk.status = draft.status.rawValue
        risk.initialLikelihood = draft.initial.likelihood
        risk.initialConsequence = draft.initial.consequence
        risk.initialScore = matrix.score(likelihood: draft.initial.likelihood, consequence: draft.initial.consequence) ?? 0
        risk.currentLikelihood = draft.current.likelihood
        risk.currentConsequence = draft.current.consequence
        risk.currentScore = matrix.score(likelihood: draft.current.likelihood, consequence: draft.current.consequence) ?? 0
        risk.targetLikelihood = draft.target.likelihood
        risk.targetConsequence = draft.target.consequence
        risk.targetScore = matrix.score(likelihood: draft.target.likelihood, consequence: draft.target.consequence) ?? 0
    }

    /// Changes a risk's details. A changed current score needs a rationale and goes into its history.
    func update(_ risk: Risk, _ input: RiskDraft.Input, rationale: String, gapsInControl: String, gapsInAssurance: String) async throws -> Risk {
        let matrix = try await matrix(risk.matrixKey)
        let draft = try draft(from: input, matrix: matrix, owners: try await context.eligibleOwners())
        let newScore = matrix.score(likelihood: draft.current.likelihood, consequence: draft.current.consequence) ?? 0
        let scoreChanged = draft.current != risk.current
        let reason = rationale.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [RuleError] = []
        if scoreChanged && reason.isEmpty {
            problems.append(RuleError(field: "rationale", message: "Say why the current score changed from \(risk.currentScore) to \(newScore)"))
        }
        for (field, value) in [("gaps_in_control", gapsInControl), ("gaps_in_assurance", gapsInAssurance)] where value.count > 4000 {
            problems.append(RuleError(field: field, message: "Keep this to 4,000 characters or fewer"))
        }
        if reason.count > 1000 { problems.append(RuleError(field: "rationale", message: "Keep the rationale to 1,000 characters or fewer")) }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        return try await database.writeTransaction { db in
            let before = Self.fields(of: risk)
            let previous = risk.currentScore
            apply(draft, to: risk, matrix: matrix)
            risk.gapsInControl = gapsInControl.trimmingCharacters(in: .whitespacesAndNewlines)
            risk.gapsInAssurance = gapsInAssurance.trimmingCharacters(in: .whitespacesAndNewlines)
            if scoreChanged { try await recordReview(risk, previousScore: previous, rationale: reason, matrix: matrix, on: db) }
            try await risk.update(on: db)
            let after = Self.fields(of: risk)
            var changes: [String: AuditEvent.FieldChange] = [:]
            for (field, change) in after where before[field]?.after != change.after {
                changes[field] = .init(before: before[field]?.after, after: change.after)
            }
            if scoreChanged { changes["rationale"] = .init(before: nil, after: reason) }
            if !changes.isEmpty { try await AuditTrail.append([event("update", "risk", risk.reference, changes)], on: db) }
            return risk
        }
    }

    /// A review: the current score now (changed or confirmed), and why. Sets the next review date.
    func review(_ risk: Risk, likelihood rawLikelihood: String, consequence rawConsequence: String, rationale: String) async throws -> Risk {
        let matrix = try await matrix(risk.matrixKey)
        var input = RiskDraft.Input()
        input.current_likelihood = rawLikelihood
        input.current_consequence = rawConsequence
        var problems: [RuleError] = []
        let likelihood = Int(rawLikelihood) ?? matrix.likelihood.first { $0.label.lowercased() == rawLikelihood.lowercased() }?.score
        let consequence = Int(rawConsequence) ?? matrix.consequence.first { $0.label.lowercased() == rawConsequence.lowercased() }?.score
        if likelihood.map({ !(1...matrix.likelihood.count).contains($0) }) ?? true {
            problems.append(RuleError(field: "current_likelihood", message: "Choose a likelihood from 1 to \(matrix.likelihood.count)"))
        }
        if consequence.map({ !(1...matrix.consequence.count).contains($0) }) ?? true {
            problems.append(RuleError(field: "current_consequence", message: "Choose a consequence from 1 to \(matrix.consequence.count)"))
        }
        let reason = rationale.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { problems.append(RuleError(field: "rationale", message: "Record what the review found, even if the score is unchanged")) }
        if reason.count > 1000 { problems.append(RuleError(field: "rationale", message: "Keep the rationale to 1,000 characters or fewer")) }
        guard problems.isEmpty, let likelihood, let consequence else { throw AssureError.invalid(problems) }
        return try await database.writeTransaction { db in
            let previous = risk.currentScore
            let before = (risk.currentLikelihood, risk.currentConsequence, risk.nextReview)
            risk.currentLikelihood = likelihood
            risk.currentConsequence = consequence
            risk.currentScore = matrix.score(likelihood: likelihood, consequence: consequence) ?? 0
            try await recordReview(risk, previousScore: previous, rationale: reason, matrix: matrix, on: db)
            try await risk.update(on: db)
            try await AuditTrail.append([event("review", "risk", risk.reference, [
                "current_likelihood": .init(before: String(before.0), after: String(likelihood)),
                "current_consequence": .init(before: String(before.1), after: String(consequence)),
                "next_review": .init(before: before.2, after: risk.nextReview),
                "rationale": .init(before: nil, after: reason),
            ])], on: db)
            return risk
        }
    }

    private func recordReview(_ risk: Risk, previousScore: Int, rationale: String, matrix: RiskMatrix, on db: any Database) async throws {
        risk.previousScore = previousScore
        risk.lastReviewed = today.description
        risk.nextReview = CalendarDay(RiskReview.nextDue(lastReviewed: today.date, score: risk.currentScore, matrix: matrix)).description
        let change = RiskScoreChange()
        change.$risk.id = try risk.requireID()
        change.changedAt = context.clock.now()
        change.actor = audit.actor
        change.likelihood = risk.currentLikelihood
        change.consequence = risk.currentConsequence
        change.score = risk.currentScore
        change.rationale = rationale
        try await change.create(on: db)
    }

    func addControl(to risk: Risk, description raw: String, effectiveness rawEffectiveness: String) async throws {
        let description = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [RuleError] = []
        if description.isEmpty || description.count > 2000 { problems.append(RuleError(field: "control", message: "Describe the control (up to 2,000 characters)")) }
        let effectiveness = ControlEffectiveness(rawValue: rawEffectiveness.trimmingCharacters(in: .whitespaces).lowercased())
        if effectiveness == nil { problems.append(RuleError(field: "effectiveness", message: "Choose effective, partially effective or ineffective")) }
        guard problems.isEmpty, let effectiveness else { throw AssureError.invalid(problems) }
        try await database.writeTransaction { db in
            let control = RiskControl()
            control.$risk.id = try risk.requireID()
            control.description = description
            control.effectiveness = effectiveness.rawValue
            try await control.create(on: db)
            try await AuditTrail.append([event("add-control", "risk", risk.reference, [
                "control": .init(before: nil, after: description), "effectiveness": .init(before: nil, after: effectiveness.rawValue)])], on: db)
        }
    }

    func addAction(to risk: Risk, description raw: String, owner rawOwner: String, due rawDue: String) async throws {
        let description = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [RuleError] = []
        if description.isEmpty || description.count > 2000 { problems.append(RuleError(field: "action", message: "Describe the action (up to 2,000 characters)")) }
        let owner = try? EmailAddress(rawOwner)
        if owner == nil { problems.append(RuleError(field: "action_owner", message: "Name who will do it by their email address")) }
        else if !(try await context.eligibleOwners()).contains(owner!.value) {
            problems.append(RuleError(field: "action_owner", message: "\(owner!.value) has no role in \(organisation.name)"))
        }
        let due = CalendarDay(rawDue)
        if due == nil { problems.append(RuleError(field: "due", message: CalendarDay.formatMessage)) }
        if let due, let opened = CalendarDay(risk.opened), due < opened {
            problems.append(RuleError(field: "due", message: "The due date cannot be before the risk was opened (\(opened))"))
        }
        guard problems.isEmpty, let owner, let due else { throw AssureError.invalid(problems) }
        try await database.writeTransaction { db in
            let action = RiskAction()
            action.$risk.id = try risk.requireID()
            action.description = description
            action.ownerEmail = owner.value
            action.due = due.description
            action.status = RiskActionStatus.notStarted.rawValue
            try await action.create(on: db)
            try await AuditTrail.append([event("add-action", "risk", risk.reference, [
                "action": .init(before: nil, after: description), "owner": .init(before: nil, after: owner.value), "due": .init(before: nil, after: due.description)])], on: db)
        }
    }

    func setActionStatus(_ action: RiskAction, of risk: Risk, to rawStatus: String) async throws {
        guard let status = RiskActionStatus(rawValue: rawStatus.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw AssureError.invalid([RuleError(field: "status", message: "Status must be one of: \(RiskActionStatus.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        guard action.status != status.rawValue else { return }
        try await database.writeTransaction { db in
            let before = action.status
            action.status = status.rawValue
            try await action.update(on: db)
            try await AuditTrail.append([event("update-action", "risk", risk.reference, [
                "action": .init(before: nil, after: action.description), "status": .init(before: before, after: status.rawValue)])], on: db)
        }
    }

    // MARK: - Reading

    func find(_ reference: String) async throws -> Risk {
        guard let number = RiskReference.parse(reference) ?? Int(reference),
              let risk = try await Risk.query(on: database).filter(\.$organisation.$id == organisation.id).filter(\.$number == number).first() else {
            throw AssureError.notFound("\(organisation.name) has no risk \(reference)")
        }
        return risk
    }

    /// A risk's fields as audit changes from nothing (create, import); an update diffs two of these.
    static func fields(of risk: Risk) -> [String: AuditEvent.FieldChange] {
        let values: [String: String?] = [
            "title": risk.title, "cause": risk.cause, "event": risk.event, "effect": risk.effect, "category": risk.category,
            "owner": risk.ownerEmail, "handler": risk.handlerEmail, "department": risk.department, "objective": risk.objective,
            "source_reference": risk.sourceReference, "opened": risk.opened, "status": risk.status,
            "initial": "\(risk.initialLikelihood)×\(risk.initialConsequence)=\(risk.initialScore)",
            "current": "\(risk.currentLikelihood)×\(risk.currentConsequence)=\(risk.currentScore)",
            "target": "\(risk.targetLikelihood)×\(risk.targetConsequence)=\(risk.targetScore)",
            "gaps_in_control": risk.gapsInControl.isEmpty ? nil : risk.gapsInControl,
            "gaps_in_assurance": risk.gapsInAssurance.isEmpty ? nil : risk.gapsInAssurance,
        ]
        return values.reduce(into: [:]) { result, item in
            if let value = item.value { result[item.key] = .init(before: nil, after: value) }
        }
    }

    func event(_ action: String, _ type: String, _ id: String, _ changes: [String: AuditEvent.FieldChange]) -> AuditEvent {
        audit.event(action, type, id, organisation: organisation.odsCode, changes: changes.filter { $0.value.before != $0.value.after })
    }
}
