import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// An organisation's evidence: adding files, links and system evidence, approving them, and
/// attaching each to the assessment items it supports. Every change is audited.
struct EvidenceLibrary {
    let context: OrganisationContext
    let store: EvidenceStore
    let maxBytes: Int

    var organisation: OrganisationRecord { context.organisation }
    var database: any Database { context.database }
    var today: CalendarDay { context.today }

    /// A piece of evidence chosen by its reference (E1), to attach or detach.
    struct Choice: Content { var evidence: String? }

    /// The approval a page or API call asks for.
    struct ApprovalInput: Content { var approval: String? }

    struct Input: Content {
        var title: String?
        var description: String?
        var owner: String?
        var valid_from: String?
        var review_by: String?
        var url: String?
    }

    /// An uploaded file as it arrived: the name the browser sent and the bytes.
    struct Upload {
        var name: String
        var data: Data
    }

    /// The fields every kind of evidence shares, checked together so every problem is reported at once.
    private func checkDetails(_ input: Input, problems: inout [RuleError]) async throws -> (title: String, details: String, owner: String?, from: CalendarDay?, review: CalendarDay?) {
        let title = (input.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty || title.count > 200 { problems.append(RuleError(field: "title", message: "Give the evidence a title of up to 200 characters")) }
        let details = (input.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if details.count > 4000 { problems.append(RuleError(field: "description", message: "Keep the description to 4,000 characters or fewer")) }
        var owner: String?
        if let raw = input.owner, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            if let email = try? EmailAddress(raw), (try await context.eligibleOwners()).contains(email.value) { owner = email.value }
            else { problems.append(RuleError(field: "owner", message: "The owner must be the email address of someone with a role in \(organisation.name)")) }
        }
        func day(_ raw: String?, _ field: String) -> CalendarDay? {
            guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            guard let day = CalendarDay(raw) else { problems.append(RuleError(field: field, message: CalendarDay.formatMessage)); return nil }
            return day
        }
        let from = day(input.valid_from, "valid_from"), review = day(input.review_by, "review_by")
        if let from, let review, review < from { problems.append(RuleError(field: "review_by", message: "The review date must be on or after the valid-from date")) }
        return (title, details, owner, from, review)
    }

    func addFile(_ input: Input, upload: Upload?, by actor: String) async throws -> Evidence {
        var problems: [RuleError] = []
        var contentType = "", name = ""
        if let upload {
            switch EvidenceFileRules.checkedName(upload.name) {
            case .success(let checked): name = checked
            case .failure(let problem): problems.append(problem)
            }
            if let problem = EvidenceFileRules.checkSize(upload.data.count, limit: maxBytes) { problems.append(problem) }
            else if !name.isEmpty {
                switch EvidenceFileRules.contentType(name: name, firstBytes: Array(upload.data.prefix(16))) {
                case .success(let type): contentType = type
                case .failure(let problem): problems.append(problem)
                }
            }
        } else {
            problems.append(RuleError(field: "file", message: "Choose a file to upload"))
        }
        var named = input
        if (named.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, !name.isEmpty { named.title = String(name.prefix(200)) }
        let details = try await checkDetails(named, problems: &problems)
        guard problems.isEmpty, let upload else { throw AssureError.invalid(problems) }
        // The file is written first and referenced after. It is never taken away here, even if the
        // record fails: another upload of the same contents may already refer to it. Files no record
        // refers to are collected separately (`EvidenceStore.removeOrphans`).
        let digest = try await store.save(upload.data).digest
        let storedName = name, storedType = contentType
        return try await insert(kind: .file, details, by: actor) { evidence in
            evidence.fileSHA256 = digest
            evidence.fileName = storedName
            evidence.contentType = storedType
            evidence.fileSize = upload.data.count
        }
    }

    func addLink(_ input: Input, by actor: String) async throws -> Evidence {
        var problems: [RuleError] = []
        var url = ""
        switch EvidenceLinkRules.check(input.url ?? "") {
        case .success(let checked): url = checked
        case .failure(let problem): problems.append(problem)
        }
        let details = try await checkDetails(input, problems: &problems)
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        let link = url
        return try await insert(kind: .link, details, by: actor) { $0.url = link }
    }

    /// Evidence Assure produced from its own records: approved by construction, valid from today.
    func addSystem(title: String, figure: String, check: String, reviewBy: CalendarDay, on db: any Database) async throws -> Evidence {
        let evidence = Evidence()
        evidence.$organisation.id = organisation.id
        evidence.number = try await nextNumber(on: db)
        evidence.kind = EvidenceKind.system.rawValue
        evidence.title = title
        evidence.details = figure
        evidence.validFrom = today.description
        evidence.reviewBy = reviewBy.description
        evidence.approval = EvidenceApproval.approved.rawValue
        evidence.approvedBy = "assure"
        evidence.checkID = check
        evidence.createdBy = context.audit.actor
        try await evidence.create(on: db)
        try await AuditTrail.append([event("create", evidence, ["kind": .init(before: nil, after: "system"), "figure": .init(before: nil, after: figure)])], on: db)
        return evidence
    }

    private func insert(kind: EvidenceKind, _ details: (title: String, details: String, owner: String?, from: CalendarDay?, review: CalendarDay?),
                        by actor: String, _ fill: @escaping @Sendable (Evidence) -> Void) async throws -> Evidence {
        let organisationID = organisation.id
        return try await database.writeTransaction { db in
            let evidence = Evidence()
            evidence.$organisation.id = organisationID
            evidence.number = try await nextNumber(on: db)
            evidence.kind = kind.rawValue
            evidence.title = details.title
            evidence.details = details.details
            evidence.ownerEmail = details.owner ?? actor
            evidence.validFrom = details.from?.description
            evidence.reviewBy = details.review?.description
            evidence.approval = EvidenceApproval.awaitingApproval.rawValue
            evidence.createdBy = actor
            fill(evidence)
            try await evidence.create(on: db)
            try await AuditTrail.append([event("create", evidence, ["kind": .init(before: nil, after: kind.rawValue), "title": .init(before: nil, after: details.title),
                                                                    "file_sha256": .init(before: nil, after: evidence.fileSHA256), "url": .init(before: nil, after: evidence.url),
                                                                    "review_by": .init(before: nil, after: evidence.reviewBy)])], on: db)
            return evidence
        }
    }

    private func nextNumber(on db: any Database) async throws -> Int {
        try await ReferenceAllocator.next(.evidence, organisation: organisation.id, on: db).lowerBound
    }

    /// Changes the shared details (not the file or link: new contents are new evidence).
    func update(_ evidence: Evidence, _ input: Input) async throws {
        var problems: [RuleError] = []
        let details = try await checkDetails(input, problems: &problems)
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        try await database.writeTransaction { db in
            let before = (evidence.title, evidence.details, evidence.ownerEmail, evidence.validFrom, evidence.reviewBy)
            evidence.title = details.title
            evidence.details = details.details
            evidence.ownerEmail = details.owner ?? evidence.ownerEmail
            evidence.validFrom = details.from?.description
            evidence.reviewBy = details.review?.description
            try await evidence.update(on: db)
            try await AuditTrail.append([event("update", evidence, [
                "title": .init(before: before.0, after: evidence.title), "description": .init(before: before.1, after: evidence.details),
                "owner": .init(before: before.2, after: evidence.ownerEmail), "valid_from": .init(before: before.3, after: evidence.validFrom),
                "review_by": .init(before: before.4, after: evidence.reviewBy),
            ])], on: db)
        }
    }

    /// Approving or rejecting follows the one separation-of-duties rule (`ApprovalRule`).
    func setApproval(_ evidence: Evidence, to raw: String?, by actor: String, mayApprove: Bool) async throws {
        guard let approval = EvidenceApproval(rawValue: (raw ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw AssureError.invalid([RuleError(field: "approval", message: "Approval must be one of: \(EvidenceApproval.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        var problems: [RuleError] = []
        let parties = ApprovalRule.Parties(approver: actor, storedOwner: evidence.ownerEmail, submitter: evidence.createdBy)
        if approval != .awaitingApproval, let refusal = ApprovalRule.refusal(parties, mayApprove: mayApprove, what: "this evidence", field: "approval") {
            problems.append(refusal)
        } else if !mayApprove {
            problems.append(RuleError(field: "approval", message: "Only a manager may approve or reject evidence"))
        }
        if evidence.evidenceKind == .system { problems.append(RuleError(field: "approval", message: "Evidence produced by Assure is approved by the check that made it")) }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        try await database.writeTransaction { db in
            let before = evidence.approval
            evidence.approval = approval.rawValue
            evidence.approvedBy = approval == .awaitingApproval ? nil : actor
            try await evidence.update(on: db)
            try await AuditTrail.append([event("approval", evidence, ["approval": .init(before: before, after: approval.rawValue)])], on: db)
        }
    }

    func attach(_ evidence: Evidence, to assessment: Assessment, item: String, catalogue: FrameworkCatalogue, on db: (any Database)? = nil) async throws {
        guard catalogue.items.contains(where: { $0.id == item }) else {
            throw AssureError.invalid([RuleError(field: "item", message: "\(catalogue.title) has no item \(item)")])
        }
        let work: @Sendable (any Database) async throws -> Void = { db in
            let exists = try await EvidenceAttachment.query(on: db).filter(\.$evidence.$id == evidence.requireID())
                .filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item).count() > 0
            if exists {
                throw AssureError(status: .conflict, title: "Already attached", detail: "\(evidence.reference) is already attached to \(item)",
                                  problems: [.init(field: "evidence", message: "\(evidence.reference) is already attached to \(item)")])
            }
            let attachment = EvidenceAttachment()
            attachment.$evidence.id = try evidence.requireID()
            attachment.$assessment.id = try assessment.requireID()
            attachment.itemID = item
            attachment.attachedBy = context.audit.actor
            try await attachment.create(on: db)
            try await AuditTrail.append([event("attach", evidence, ["assessment": .init(before: nil, after: assessment.reference), "item": .init(before: nil, after: item)])], on: db)
        }
        if let db { try await work(db) } else { try await database.writeTransaction(work) }
    }

    func detach(_ evidence: Evidence, from assessment: Assessment, item: String) async throws {
        try await database.writeTransaction { db in
            guard let attachment = try await EvidenceAttachment.query(on: db).filter(\.$evidence.$id == evidence.requireID())
                .filter(\.$assessment.$id == assessment.requireID()).filter(\.$itemID == item).first() else {
                throw AssureError.invalid([RuleError(field: "evidence", message: "\(evidence.reference) is not attached to \(item) in \(assessment.reference)")])
            }
            try await attachment.delete(on: db)
            try await AuditTrail.append([event("detach", evidence, ["assessment": .init(before: assessment.reference, after: nil), "item": .init(before: item, after: nil)])], on: db)
        }
    }

    func find(_ reference: String) async throws -> Evidence {
        let digits = reference.uppercased().hasPrefix("E") ? String(reference.dropFirst()) : reference
        guard let number = Int(digits), let evidence = try await Evidence.query(on: database).filter(\.$organisation.$id == organisation.id)
                .filter(\.$number == number).first() else {
            throw AssureError.notFound("\(organisation.name) has no evidence \(reference)")
        }
        return evidence
    }

    /// The library, newest first, optionally only what has expired or expires within 30 days.
    func list(_ currency: EvidenceCurrency?) async throws -> [Evidence] {
        var query = Evidence.query(on: database).filter(\.$organisation.$id == organisation.id)
        switch currency {
        case .expired: query = query.filter(\.$reviewBy < today.description)
        case .expiringSoon: query = query.filter(\.$reviewBy >= today.description).filter(\.$reviewBy <= today.adding(days: EvidenceCurrency.soonDays).description)
        case .noReviewDate: query = query.filter(\.$reviewBy == nil)
        case .current: query = query.filter(\.$reviewBy > today.adding(days: EvidenceCurrency.soonDays).description)
        case nil: break
        }
        return try await query.sort(\.$number, .descending).all()
    }

    /// How many items each piece of evidence supports, in one query.
    func usage(of evidence: [Evidence]) async throws -> [UUID: Int] {
        let ids = evidence.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let sql = try database.sqlDatabase
        var counts: [UUID: Int] = [:]
        for chunk in ids.chunks(of: 5000) {
            let rows = try await sql.raw("SELECT evidence_id, COUNT(*) AS n FROM evidence_attachments WHERE evidence_id IN (\(binds: chunk)) GROUP BY evidence_id").all()
            for row in rows { counts[try row.decode(column: "evidence_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        }
        return counts
    }

    func event(_ action: String, _ evidence: Evidence, _ changes: [String: AuditEvent.FieldChange]) -> AuditEvent {
        context.audit.event(action, "evidence", "\(evidence.reference) \(evidence.title)", organisation: organisation.odsCode, changes: changes.filter { $0.value.before != $0.value.after })
    }
}

extension Request {
    func evidenceLibrary(_ context: OrganisationContext) -> EvidenceLibrary {
        EvidenceLibrary(context: context, store: EvidenceStore(dataDirectory: application.assureConfiguration.dataDirectory, threadPool: application.threadPool),
                        maxBytes: application.assureConfiguration.evidenceMaxBytes)
    }
}

extension EvidenceStore {
    /// Collects evidence files no record refers to (an upload whose record failed), at start-up.
    static func collectOrphans(on app: Application) async throws {
        let rows = try await app.db.sqlDatabase.raw("SELECT DISTINCT file_sha256 FROM evidence WHERE file_sha256 IS NOT NULL").all()
        let referenced = Set(try rows.map { try $0.decode(column: "file_sha256", as: String.self) })
        let store = EvidenceStore(dataDirectory: app.assureConfiguration.dataDirectory, threadPool: app.threadPool)
        let removed = try await store.removeOrphans(referenced: referenced, now: app.clock.now())
        if removed > 0 { app.logger.notice("Removed \(removed) evidence file(s) that no record refers to") }
    }
}
