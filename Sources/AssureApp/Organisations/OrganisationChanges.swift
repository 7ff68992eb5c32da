import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Creates, changes and imports organisations. Each change runs in one transaction and is
/// checked against the tree as it stands inside that transaction, so nothing partial is written.
struct OrganisationChanges {
    let database: any Database
    /// Who is making the changes, for the audit trail.
    let audit: AuditContext

    func create(_ draft: OrganisationDraft) async throws -> OrganisationRecord {
        try await database.writeTransaction { db in
            let directory = OrganisationDirectory(database: db)
            if try await directory.find(draft.odsCode.value) != nil {
                throw AssureError(status: .conflict, title: "Already exists",
                                  detail: "An organisation with ODS code \(draft.odsCode) already exists",
                                  problems: [.init(field: "ods_code", message: "An organisation with ODS code \(draft.odsCode) already exists")])
            }
            var tree = try await directory.hierarchy()
            tree.place(.init(code: draft.odsCode, type: draft.type, parentCode: draft.parentCode))
            try Self.checkPlacement(of: draft, in: tree)
            let parentID = try await parentID(of: draft, in: directory)
            try await Organisation(draft: draft, parentID: parentID).create(on: db)
            try await AuditTrail.append([event("create", draft.odsCode.value, before: [:], after: Self.auditFields(draft))], on: db)
            return try await directory.require(draft.odsCode.value)
        }
    }

    /// Changes everything but the ODS code, which identifies the organisation for good.
    func update(_ code: String, to draft: OrganisationDraft) async throws -> OrganisationRecord {
        try await database.writeTransaction { db in
            let directory = OrganisationDirectory(database: db)
            guard let organisation = try await Organisation.query(on: db).filter(\.$odsCode == code.uppercased()).first() else {
                throw AssureError.notFound("No organisation has the ODS code '\(code)'")
            }
            guard draft.odsCode.value == organisation.odsCode else {
                throw AssureError.invalid([RuleError(field: "ods_code", message: "The ODS code of an organisation cannot be changed")])
            }
            try Self.checkPlacement(of: draft, in: try await directory.hierarchy())
            let before = Self.auditFields(try await directory.require(code))
            organisation.apply(draft, parentID: try await parentID(of: draft, in: directory))
            try await organisation.update(on: db)
            let after = Self.auditFields(draft)
            if before != after {
                try await AuditTrail.append([event("update", code.uppercased(), before: before, after: after)], on: db)
            }
            return try await directory.require(code)
        }
    }

    /// Tree rules come back as field errors, so forms can show them beside the field.
    private static func checkPlacement(of draft: OrganisationDraft, in tree: OrganisationHierarchy) throws {
        do { try tree.check(draft) } catch { throw AssureError.invalid([error]) }
    }

    private func parentID(of draft: OrganisationDraft, in directory: OrganisationDirectory) async throws -> UUID? {
        guard let parentCode = draft.parentCode else { return nil }
        return try await directory.require(parentCode.value).id
    }

    struct ImportSummary: Content, Equatable {
        var inserted: Int
        var updated: Int
        var unchanged: Int
    }

    /// Adds new organisations and updates existing ones (matched by ODS code), parents before children.
    /// Checks the whole file first; if any row is wrong, nothing is written.
    func importRows(_ rows: [OrganisationImport.Row]) async throws -> ImportSummary {
        try await database.writeTransaction { db in
            let directory = OrganisationDirectory(database: db)
            let existing = try await directory.hierarchy()
            let drafts: [OrganisationDraft]
            switch OrganisationImport.validate(rows, existing: existing) {
            case .failure(let violations): throw AssureError.invalid(violations.problems)
            case .success(let valid): drafts = valid
            }
            var tree = existing
            for draft in drafts { tree.place(.init(code: draft.odsCode, type: draft.type, parentCode: draft.parentCode)) }
            let ordered = drafts.sorted { tree.ancestry(from: $0.odsCode).count < tree.ancestry(from: $1.odsCode).count }
            return try await write(ordered, existing: existing, on: db)
        }
    }

    private func write(_ drafts: [OrganisationDraft], existing: OrganisationHierarchy, on db: any Database) async throws -> ImportSummary {
        let sql = try db.sqlDatabase
        let current = try await Organisation.query(on: db).all()
        var idByCode = Dictionary(uniqueKeysWithValues: current.map { ($0.odsCode, $0.id!) })
        let byCode = Dictionary(uniqueKeysWithValues: current.map { ($0.odsCode, $0) })
        var summary = ImportSummary(inserted: 0, updated: 0, unchanged: 0)
        var newRows: [(UUID, OrganisationDraft)] = []
        var events: [AuditEvent] = []
        for draft in drafts {
            if let organisation = byCode[draft.odsCode.value] {
                let parentID = draft.parentCode.flatMap { idByCode[$0.value] }
                if Self.matches(organisation, draft, parentID: parentID) {
                    summary.unchanged += 1
                } else {
                    let before = Self.auditFields(organisation, parentCode: existing.nodes[draft.odsCode]?.parentCode?.value)
                    organisation.apply(draft, parentID: parentID)
                    try await organisation.update(on: db)
                    events.append(event("update", draft.odsCode.value, before: before, after: Self.auditFields(draft)))
                    summary.updated += 1
                }
            } else {
                let id = UUID()
                idByCode[draft.odsCode.value] = id
                newRows.append((id, draft))
                events.append(event("create", draft.odsCode.value, before: [:], after: Self.auditFields(draft)))
            }
        }
        try await OrganisationBulkInsert.insert(newRows, parentIDs: idByCode, at: audit.clock.now(), on: sql)
        try await AuditTrail.append(events, on: db)
        summary.inserted = newRows.count
        return summary
    }

    private func event(_ action: String, _ code: String, before: [String: String?], after: [String: String?]) -> AuditEvent {
        audit.event(action, "organisation", code, organisation: code, changes: AuditEvent.difference(before: before, after: after))
    }

    /// The audited fields of an organisation, as text.
    static func auditFields(_ draft: OrganisationDraft) -> [String: String?] {
        ["name": draft.name, "type": draft.type.rawValue, "parent_ods_code": draft.parentCode?.value,
         "dspt_category": draft.dsptCategory.map { String($0.value) }]
    }

    static func auditFields(_ record: OrganisationRecord) -> [String: String?] {
        ["name": record.name, "type": record.type.rawValue, "parent_ods_code": record.parentCode, "dspt_category": record.dsptCategory.map(String.init)]
    }

    static func auditFields(_ organisation: Organisation, parentCode: String?) -> [String: String?] {
        ["name": organisation.name, "type": organisation.type, "parent_ods_code": parentCode, "dspt_category": organisation.dsptCategory.map(String.init)]
    }

    private static func matches(_ organisation: Organisation, _ draft: OrganisationDraft, parentID: UUID?) -> Bool {
        organisation.name == draft.name && organisation.type == draft.type.rawValue
            && organisation.$parent.id == parentID && organisation.dsptCategory == draft.dsptCategory?.value
    }
}

/// Inserts many organisations in batches with one statement each; rows must come parents first.
enum OrganisationBulkInsert {
    static func insert(_ rows: [(id: UUID, draft: OrganisationDraft)], parentIDs: [String: UUID], at now: Date, on sql: any SQLDatabase) async throws {
        for batch in rows.chunks(of: 500) {
            let insert = sql.insert(into: Organisation.schema)
                .columns("id", "ods_code", "name", "type", "parent_id", "dspt_category", "created_at", "updated_at")
            for row in batch {
                insert.values([
                    SQLBind(row.id), SQLBind(row.draft.odsCode.value), SQLBind(row.draft.name), SQLBind(row.draft.type.rawValue),
                    SQLBind(row.draft.parentCode.flatMap { parentIDs[$0.value] }), SQLBind(row.draft.dsptCategory?.value),
                    SQLBind(now), SQLBind(now),
                ])
            }
            try await insert.run()
        }
    }
}
