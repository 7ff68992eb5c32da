import SQLKit
import AssureCore
import Fluent
import Foundation

/// An NHS organisation: a region, ICB, trust, GP practice or other body, keyed by ODS code.
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    @ID(key: .id) var id: UUID?
    @Field(key: "ods_code") var odsCode: String
    @Field(key: "name") var name: String
    @Field(key: "type") var type: String
    @OptionalParent(key: "parent_id") var parent: Organisation?
    @OptionalField(key: "dspt_category") var dsptCategory: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, draft: OrganisationDraft, parentID: UUID?) {
        self.id = id
        self.odsCode = draft.odsCode.value
        apply(draft, parentID: parentID)
    }

    func apply(_ draft: OrganisationDraft, parentID: UUID?) {
        name = draft.name
        type = draft.type.rawValue
        $parent.id = parentID
        dsptCategory = draft.dsptCategory?.value
    }
}

struct CreateOrganisation: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Organisation.schema)
            .id()
            .field("ods_code", .string, .required)
            .field("name", .string, .required)
            .field("type", .string, .required)
            .field("parent_id", .uuid, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("dspt_category", .int)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "ods_code")
            .create()
        let sql = try database.sqlDatabase
        try await sql.create(index: "organisations_parent_id_idx").on(Organisation.schema).column("parent_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Organisation.schema).delete()
    }
}
