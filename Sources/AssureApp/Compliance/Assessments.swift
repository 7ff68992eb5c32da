import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// One organisation's self-assessment against one framework version for one period
/// (e.g. "DSPT 2025-26", interim 31 December, final 30 June), with a target per item.
final class Assessment: Model, @unchecked Sendable {
    static let schema = "assessments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "number") var number: Int
    @Field(key: "framework_id") var frameworkID: String
    @Field(key: "framework_version") var frameworkVersion: String
    @Field(key: "period") var period: String
    @OptionalField(key: "interim_due") var interimDue: String?
    @Field(key: "final_due") var finalDue: String
    /// Target level per item, as JSON (from a catalogue profile or set by the organisation).
    @Field(key: "targets") var targetsJSON: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var reference: String { "A\(number)" }
    var targets: [String: String] { (try? JSONDecoder().decode([String: String].self, from: Data(targetsJSON.utf8))) ?? [:] }
}

/// The result for one item: its level, why, who owns it, where it is in review, and who signed it off.
final class AssessmentResult: Model, @unchecked Sendable {
    static let schema = "assessment_results"

    @ID(key: .id) var id: UUID?
    @Parent(key: "assessment_id") var assessment: Assessment
    @Field(key: "item_id") var itemID: String
    @OptionalField(key: "level") var level: String?
    @Field(key: "rationale") var rationale: String
    @OptionalField(key: "owner_email") var ownerEmail: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "reviewer_email") var reviewerEmail: String?
    /// Who last changed the level, rationale or indicators: they may not approve that change.
    @OptionalField(key: "recorded_by") var recordedBy: String?
    /// The indicators ticked, as JSON, for items whose catalogue supplies them.
    @OptionalField(key: "indicators") var indicatorsJSON: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var itemStatus: AssessmentItemStatus { AssessmentItemStatus(rawValue: status) ?? .notStarted }
    var ticked: Set<String> { Set(indicatorsJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []) }
}

/// Results keep who submitted their content, for separation of duties on approval.
struct AddResultRecordedBy: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("assessment_results").field("recorded_by", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("assessment_results").deleteField("recorded_by").update()
    }
}

/// Results keep the indicators ticked, for catalogues that supply indicator checklists.
struct AddResultIndicators: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AssessmentResult.schema).field("indicators", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AssessmentResult.schema).deleteField("indicators").update()
    }
}

struct CreateAssessments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Assessment.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("framework_id", .string, .required)
            .field("framework_version", .string, .required)
            .field("period", .string, .required)
            .field("interim_due", .string)
            .field("final_due", .string, .required)
            .field("targets", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "organisation_id", "number")
            .unique(on: "organisation_id", "framework_id", "framework_version", "period")
            .create()
        try await database.schema(AssessmentResult.schema)
            .id()
            .field("assessment_id", .uuid, .required, .references(Assessment.schema, "id", onDelete: .cascade))
            .field("item_id", .string, .required)
            .field("level", .string)
            .field("rationale", .string, .required)
            .field("owner_email", .string)
            .field("status", .string, .required)
            .field("reviewer_email", .string)
            .field("updated_at", .datetime)
            .unique(on: "assessment_id", "item_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AssessmentResult.schema).delete()
        try await database.schema(Assessment.schema).delete()
    }
}

/// Starts assessments and records results, each change audited.
struct Assessments {
    let context: OrganisationContext
    let frameworks: FrameworkLibrary

    var organisation: OrganisationRecord { context.organisation }
    var database: any Database { context.database }

    struct StartInput: Content {
        var framework: String?
        var period: String?
        var interim_due: String?
        var final_due: String?
        var profile: String?
    }

    /// What a valid start request names, checked before anything is written.
    struct Plan {
        var catalogue: FrameworkCatalogue
        var period: String
        var interim: CalendarDay?
        var final: CalendarDay
        var targets: [String: String]
    }

    func plan(_ input: StartInput) throws -> Plan {
        var problems: [RuleError] = []
        let catalogue = frameworks.find(input.framework ?? "")
        if catalogue == nil {
            problems.append(RuleError(field: "framework", message: "Choose a framework: \(frameworks.catalogues.map(\.key).joined(separator: ", "))"))
        }
        let period = (input.period ?? "").trimmingCharacters(in: .whitespaces)
        if period.isEmpty || period.count > 40 { problems.append(RuleError(field: "period", message: "Name the period, for example 2025-26 (up to 40 characters)")) }
        // Deadlines left blank are the publisher's for that period, where Assure knows them.
        let published = catalogue.flatMap { SubmissionDeadlines.deadline(framework: $0.id, period: period) }
        let finalText = (input.final_due ?? "").trimmingCharacters(in: .whitespaces)
        var final: CalendarDay?
        if finalText.isEmpty, let published {
            final = published.finalDue
        } else if finalText.isEmpty {
            problems.append(RuleError(field: "final_due", message: "Enter the final deadline: Assure knows no published deadline for \(catalogue?.title ?? "this framework") \(period.isEmpty ? "" : period)"
                .trimmingCharacters(in: .whitespaces)))
        } else {
            final = CalendarDay(finalText)
            if final == nil { problems.append(RuleError(field: "final_due", message: CalendarDay.formatMessage)) }
        }
        var interim: CalendarDay?
        if let raw = input.interim_due, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            interim = CalendarDay(raw)
            if interim == nil { problems.append(RuleError(field: "interim_due", message: CalendarDay.formatMessage)) }
        } else if finalText.isEmpty {
            interim = published?.interimDue
        }
        if let interim, let final, interim > final { problems.append(RuleError(field: "interim_due", message: "The interim deadline must come before the final one")) }
        var targets: [String: String] = [:]
        if let key = input.profile, !key.isEmpty, let catalogue {
            if let profile = catalogue.profiles.first(where: { $0.id == key }) { targets = profile.targets }
            else { problems.append(RuleError(field: "profile", message: "\(catalogue.key) has no profile '\(key)'")) }
        }
        guard problems.isEmpty, let catalogue, let final else { throw AssureError.invalid(problems) }
        return Plan(catalogue: catalogue, period: period, interim: interim, final: final, targets: targets)
    }

    func start(_ input: StartInput) async throws -> Assessment {
        let plan = try plan(input)
        return try await database.writeTransaction { db in try await insert(plan, on: db) }
    }

    func insert(_ plan: Plan, on db: any Database) async throws -> Assessment {
        let catalogue = plan.catalogue, period = plan.period
        if try await Assessment.query(on: db).filter(\.$organisation.$id == organisation.id).filter(\.$frameworkID == catalogue.id)
            .filter(\.$frameworkVersion == catalogue.version).filter(\.$period == period).count() > 0 {
            throw AssureError(status: .conflict, title: "Already started", detail: "\(organisation.name) already has a \(catalogue.title) \(catalogue.version) assessment for \(period)",
                              problems: [.init(field: "period", message: "An assessment for \(period) already exists")])
        }
        let assessment = Assessment()
        assessment.$organisation.id = organisation.id
        assessment.number = try await ReferenceAllocator.next(.assessment, organisation: organisation.id, on: db).lowerBound
        assessment.frameworkID = catalogue.id
        assessment.frameworkVersion = catalogue.version
        assessment.period = period
        assessment.interimDue = plan.interim?.description
        assessment.finalDue = plan.final.description
        assessment.targetsJSON = String(decoding: try RiskRegister.encoder.encode(plan.targets), as: UTF8.self)
        try await assessment.create(on: db)
        try await AuditTrail.append([event("create", assessment, ["framework": .init(before: nil, after: catalogue.key),
                                                                  "period": .init(before: nil, after: period), "final_due": .init(before: nil, after: plan.final.description)])], on: db)
        return assessment
    }

    /// Starts the next period (or a new version, through the shipped mapping) from an existing
    /// assessment: results that carry are copied as "in progress" for review, with their owner,
    /// target and evidence; approvals never carry. All or nothing.
    func copyForward(_ source: Assessment, _ input: StartInput) async throws -> (assessment: Assessment, carried: Int) {
        var input = input
        if (input.framework ?? "").isEmpty { input.framework = "\(source.frameworkID)@\(source.frameworkVersion)" }
        let plan = try plan(input)
        let from = try frameworks.requireCatalogue(of: source)
        let mapping = frameworks.mapping(between: from.key, and: plan.catalogue.key)
        if from.key != plan.catalogue.key, mapping == nil {
            throw AssureError.invalid([RuleError(field: "framework", message: "Assure has no mapping from \(from.key) to \(plan.catalogue.key), so results cannot be carried")])
        }
        let sourceID = try source.requireID()
        return try await database.writeTransaction { db in
            let old = try await AssessmentResult.query(on: db).filter(\.$assessment.$id == sourceID).all()
            let byItem = Dictionary(old.map { ($0.itemID, $0) }, uniquingKeysWith: { first, _ in first })
            let evidenceByItem = Dictionary(grouping: try await EvidenceAttachment.query(on: db).filter(\.$assessment.$id == sourceID).all(), by: \.itemID)
            let carried = CopyForward.carry(results: byItem.compactMapValues(\.level), from: from, to: plan.catalogue, through: mapping)
            var plan = plan
            for (item, target) in CopyForward.carry(results: source.targets, from: from, to: plan.catalogue, through: mapping).map({ ($0.item, $0.level) })
            where plan.targets[item] == nil { plan.targets[item] = target }
            let assessment = try await insert(plan, on: db)
            let newID = try assessment.requireID()
            for entry in carried {
                let result = AssessmentResult()
                result.$assessment.id = newID
                result.itemID = entry.item
                result.level = entry.level
                let origin = from.key == plan.catalogue.key ? source.reference : "\(source.reference) \(entry.from)"
                result.rationale = String("Carried forward from \(origin): \(byItem[entry.from]?.rationale ?? "")".prefix(4000))
                result.ownerEmail = byItem[entry.from]?.ownerEmail
                result.status = AssessmentItemStatus.inProgress.rawValue
                try await result.create(on: db)
                for link in evidenceByItem[entry.from] ?? [] {
                    let copy = EvidenceAttachment()
                    copy.$evidence.id = link.$evidence.id
                    copy.$assessment.id = newID
                    copy.itemID = entry.item
                    copy.attachedBy = context.audit.actor
                    try await copy.create(on: db)
                }
            }
            try await AuditTrail.append([event("copy-forward", assessment, ["from": .init(before: nil, after: "\(source.reference) \(from.key) \(source.period)"),
                                                                            "carried": .init(before: nil, after: String(carried.count))])], on: db)
            return (assessment, carried.count)
        }
    }

    struct ResultInput: Content {
        /// Ticked indicators; when the item has a checklist, the level is graded from them.
        var indicators: [String]?
        var level: String?
        var rationale: String?
        var owner: String?
        var status: String?
        var target: String?
    }

    /// Records an item's result. Only the fields sent change (an absent field keeps what is
    /// stored; an empty one clears it). Approving follows the one separation-of-duties rule
    /// (`ApprovalRule`): not the owner as stored, and not whoever submitted what is approved.
    func record(_ input: ResultInput, item itemID: String, in assessment: Assessment, by actor: String, mayApprove: Bool) async throws {
        let (catalogue, item) = try catalogueItem(itemID, of: assessment)
        guard input.indicators != nil || input.level != nil || input.rationale != nil || input.owner != nil || input.status != nil || input.target != nil else {
            throw AssureError.invalid([RuleError(field: "level", message: "Send at least one of: indicators, level, rationale, owner, status, target")])
        }
        let stored = try await AssessmentResult.query(on: database).filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item.id).first()
        let change = try await checkedChange(input, item: item, catalogue: catalogue, stored: stored, by: actor, mayApprove: mayApprove)
        try await database.writeTransaction { db in
            let existing = try await AssessmentResult.query(on: db).filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item.id).first()
            guard existing?.updatedAt == stored?.updatedAt, existing?.status == stored?.status else {
                throw AssureError(status: .conflict, title: "Changed meanwhile", detail: "Someone else changed \(item.id) while you were editing it. Reload it and try again.")
            }
            let result = existing ?? AssessmentResult()
            let before = (result.level, existing == nil ? nil : result.status, existing?.ownerEmail)
            result.$assessment.id = try assessment.requireID()
            result.itemID = item.id
            result.level = change.level
            if let ticked = change.tickedJSON { result.indicatorsJSON = ticked }
            result.rationale = change.rationale
            result.ownerEmail = change.owner
            result.status = change.status.rawValue
            if change.changesContent || existing?.recordedBy == nil { result.recordedBy = actor }
            result.reviewerEmail = change.status == .approved ? actor : nil
            try await result.save(on: db)
            var targets = assessment.targets
            var changes: [String: AuditEvent.FieldChange] = ["item": .init(before: nil, after: item.id),
                                                            "level": .init(before: before.0, after: result.level), "status": .init(before: before.1, after: change.status.rawValue),
                                                            "owner": .init(before: before.2, after: result.ownerEmail)]
            if let target = change.target, targets[item.id] != target {
                changes["target"] = .init(before: targets[item.id], after: target)
                targets[item.id] = target
                assessment.targetsJSON = String(decoding: try RiskRegister.encoder.encode(targets), as: UTF8.self)
                try await assessment.update(on: db)
            }
            if change.status == .approved { changes["approved_by"] = .init(before: nil, after: actor) }
            try await AuditTrail.append([event("record-result", assessment, changes)], on: db)
        }
    }

    /// A result change after every check: what each field becomes, and whether the content
    /// under review (level, rationale, indicators) changed.
    struct ResultChange {
        var level: String?
        var tickedJSON: String?
        var rationale: String
        var owner: String?
        var status: AssessmentItemStatus
        var target: String?
        var changesContent: Bool
    }

    private func checkedChange(_ input: ResultInput, item: FrameworkCatalogue.Item, catalogue: FrameworkCatalogue, stored: AssessmentResult?,
                               by actor: String, mayApprove: Bool) async throws -> ResultChange {
        var problems: [RuleError] = []
        var level = input.level.map { $0.trimmingCharacters(in: .whitespaces) } ?? stored?.level ?? ""
        var ticked: [String]?
        if let sent = input.indicators, !item.indicators.isEmpty {
            let chosen = sent.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let known = Set(item.indicators.map(\.id))
            for unknown in chosen where !known.contains(unknown) {
                problems.append(RuleError(field: "indicators", message: "'\(unknown.prefix(40))' is not an indicator of \(item.id)"))
            }
            ticked = Array(Set(chosen)).sorted()
            level = IndicatorGrading.grade(item, ticked: Set(chosen)) ?? level
        }
        if !level.isEmpty, let problem = catalogue.check(level: level, item: item.id) { problems.append(problem) }
        let target = input.target.map { $0.trimmingCharacters(in: .whitespaces) }
        if let target, !target.isEmpty, let problem = catalogue.check(level: target, item: item.id) { problems.append(RuleError(field: "target", message: problem.message)) }
        let rationale = input.rationale.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? stored?.rationale ?? ""
        if rationale.count > 4000 { problems.append(RuleError(field: "rationale", message: "Keep the rationale to 4,000 characters or fewer")) }
        var owner = stored?.ownerEmail
        if let raw = input.owner {
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { owner = nil }
            else if let email = try? EmailAddress(raw), (try await context.eligibleOwners()).contains(email.value) { owner = email.value }
            else { problems.append(RuleError(field: "owner", message: "The owner must be the email address of someone with a role in \(organisation.name)")) }
        }
        let tickedJSON = try ticked.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let changesContent = (level.isEmpty ? nil : level) != stored?.level || rationale != (stored?.rationale ?? "")
            || (tickedJSON != nil && tickedJSON != stored?.indicatorsJSON)
        var status = stored?.itemStatus ?? .inProgress
        if let raw = input.status {
            if let sent = AssessmentItemStatus(rawValue: raw.trimmingCharacters(in: .whitespaces)) { status = sent }
            else { problems.append(RuleError(field: "status", message: "Status must be one of: \(AssessmentItemStatus.allCases.map(\.rawValue).joined(separator: ", "))")) }
        } else if status == .approved, changesContent || owner != stored?.ownerEmail {
            // What was approved has changed, so the approval no longer stands.
            status = .readyForReview
        }
        if status == .approved, input.status != nil || stored?.itemStatus != .approved {
            if level.isEmpty { problems.append(RuleError(field: "level", message: "Record a result before approving it")) }
            if rationale.isEmpty { problems.append(RuleError(field: "rationale", message: "Say why before approving")) }
            let parties = ApprovalRule.Parties(approver: actor, storedOwner: stored?.ownerEmail,
                                               requestedOwner: owner, submitter: changesContent ? actor : stored?.recordedBy)
            if let refusal = ApprovalRule.refusal(parties, mayApprove: mayApprove, what: "a result", field: "status") { problems.append(refusal) }
        }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        return ResultChange(level: level.isEmpty ? nil : level, tickedJSON: tickedJSON, rationale: rationale, owner: owner, status: status,
                            target: target.flatMap { $0.isEmpty ? nil : $0 }, changesContent: changesContent)
    }

    /// One item of an assessment, with its catalogue and the result recorded for it so far.
    struct LoadedItem {
        var assessment: Assessment
        var catalogue: FrameworkCatalogue
        var item: FrameworkCatalogue.Item
        var result: AssessmentResult?
    }

    func item(_ itemID: String, in reference: String) async throws -> LoadedItem {
        let assessment = try await find(reference)
        let (catalogue, item) = try catalogueItem(itemID, of: assessment)
        let result = try await AssessmentResult.query(on: database).filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item.id).first()
        return LoadedItem(assessment: assessment, catalogue: catalogue, item: item, result: result)
    }

    /// The assessment's framework and the item of it with this id.
    private func catalogueItem(_ itemID: String, of assessment: Assessment) throws -> (FrameworkCatalogue, FrameworkCatalogue.Item) {
        let catalogue = try frameworks.requireCatalogue(of: assessment)
        guard let item = catalogue.items.first(where: { $0.id == itemID }) else { throw AssureError.notFound("\(catalogue.title) has no item \(itemID)") }
        return (catalogue, item)
    }

    /// Managers change any item; contributors the items they own.
    func mayEdit(_ loaded: LoadedItem) -> Bool {
        context.may(.editAnyRecord) || (context.may(.editOwnRecord) && loaded.result?.ownerEmail == context.actor)
    }

    func requireEdit(_ loaded: LoadedItem) throws {
        guard mayEdit(loaded) else {
            throw AssureError(status: .forbidden, title: "Not permitted", detail: "Only a manager, or the item's owner, may change \(loaded.item.id).")
        }
    }

    func find(_ reference: String) async throws -> Assessment {
        let digits = reference.uppercased().hasPrefix("A") ? String(reference.dropFirst()) : reference
        guard let number = Int(digits), let assessment = try await Assessment.query(on: database).filter(\.$organisation.$id == organisation.id)
                .filter(\.$number == number).first() else {
            throw AssureError.notFound("\(organisation.name) has no assessment \(reference)")
        }
        return assessment
    }

    private func event(_ action: String, _ assessment: Assessment, _ changes: [String: AuditEvent.FieldChange]) -> AuditEvent {
        context.audit.event(action, "assessment", "\(assessment.reference) \(assessment.frameworkID)@\(assessment.frameworkVersion) \(assessment.period)", organisation: organisation.odsCode, changes: changes.filter { $0.value.before != $0.value.after || $0.key == "item" })
    }
}

extension Request {
    func assessments(_ context: OrganisationContext) -> Assessments { Assessments(context: context, frameworks: frameworks) }
}
