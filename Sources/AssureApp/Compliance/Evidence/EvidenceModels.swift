import AssureCore
import Fluent
import Foundation
import SQLKit

/// One piece of evidence in an organisation's library (E1, E2…): a file, a link, or a figure Assure
/// produced itself. Held once and attached to as many assessment items as it supports.
final class Evidence: Model, @unchecked Sendable {
    static let schema = "evidence"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "number") var number: Int
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "description") var details: String
    @OptionalField(key: "owner_email") var ownerEmail: String?
    @OptionalField(key: "valid_from") var validFrom: String?
    @OptionalField(key: "review_by") var reviewBy: String?
    @Field(key: "approval") var approval: String
    @OptionalField(key: "approved_by") var approvedBy: String?
    @OptionalField(key: "file_sha256") var fileSHA256: String?
    @OptionalField(key: "file_name") var fileName: String?
    @OptionalField(key: "content_type") var contentType: String?
    @OptionalField(key: "file_size") var fileSize: Int?
    @OptionalField(key: "url") var url: String?
    /// For system evidence: which automated check produced it.
    @OptionalField(key: "check_id") var checkID: String?
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var reference: String { "E\(number)" }
    var evidenceKind: EvidenceKind { EvidenceKind(rawValue: kind) ?? .file }
    var approvalStatus: EvidenceApproval { EvidenceApproval(rawValue: approval) ?? .awaitingApproval }
    func currency(on today: CalendarDay) -> EvidenceCurrency { EvidenceCurrency.of(reviewBy: reviewBy.flatMap(CalendarDay.init), today: today) }
}

/// Evidence attached to one item of one assessment: comply once, cite many times.
final class EvidenceAttachment: Model, @unchecked Sendable {
    static let schema = "evidence_attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "evidence_id") var evidence: Evidence
    @Parent(key: "assessment_id") var assessment: Assessment
    @Field(key: "item_id") var itemID: String
    @Field(key: "attached_by") var attachedBy: String
    @Timestamp(key: "attached_at", on: .create) var attachedAt: Date?

    init() {}
}

struct CreateEvidenceLibrary: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Evidence.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("owner_email", .string)
            .field("valid_from", .string)
            .field("review_by", .string)
            .field("approval", .string, .required)
            .field("approved_by", .string)
            .field("file_sha256", .string)
            .field("file_name", .string)
            .field("content_type", .string)
            .field("file_size", .int)
            .field("url", .string)
            .field("check_id", .string)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "organisation_id", "number")
            .create()
        try await database.schema(EvidenceAttachment.schema)
            .id()
            .field("evidence_id", .uuid, .required, .references(Evidence.schema, "id", onDelete: .cascade))
            .field("assessment_id", .uuid, .required, .references(Assessment.schema, "id", onDelete: .cascade))
            .field("item_id", .string, .required)
            .field("attached_by", .string, .required)
            .field("attached_at", .datetime)
            .unique(on: "evidence_id", "assessment_id", "item_id")
            .create()
        // The assessment page counts evidence per item; the expiry views read by review date.
        do {
            let sql = try database.sqlDatabase
            try await sql.raw("CREATE INDEX evidence_attachments_by_item ON evidence_attachments (assessment_id, item_id)").run()
            try await sql.raw("CREATE INDEX evidence_by_review ON evidence (organisation_id, review_by)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EvidenceAttachment.schema).delete()
        try await database.schema(Evidence.schema).delete()
    }
}
