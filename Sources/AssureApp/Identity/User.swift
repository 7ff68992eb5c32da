import AssureCore
import Fluent
import Foundation
import SQLKit

/// A person who can use Assure. The password is kept only as a bcrypt hash; an account without
/// one cannot sign in with a password (single sign-on, or not yet set).
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    enum Status: String, Codable, CaseIterable, Sendable { case active, disabled }

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Enum(key: "status") var status: Status
    @OptionalField(key: "last_sign_in_at") var lastSignInAt: Date?
    /// The provider's `sub` for this person, recorded at their first single sign-on.
    @OptionalField(key: "sso_subject") var ssoSubject: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(email: EmailAddress, displayName: String, passwordHash: String?) {
        self.email = email.value
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.status = .active
    }
}

/// One role held by one person in one organisation; a system administrator's role belongs to no
/// organisation (the first one exists before any organisation does).
final class OrganisationMembership: Model, @unchecked Sendable {
    static let schema = "memberships"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @OptionalParent(key: "organisation_id") var organisation: Organisation?
    @Field(key: "role") var role: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, organisationID: UUID?, role: Role) {
        $user.id = userID
        $organisation.id = organisationID
        self.role = role.rawValue
    }
}

struct CreateUsersAndMemberships: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string)
            .field("status", .string, .required)
            .field("last_sign_in_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(OrganisationMembership.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "user_id", "organisation_id", "role")
            .create()
        let sql = try database.sqlDatabase
        try await sql.create(index: "memberships_organisation_idx").on(OrganisationMembership.schema).column("organisation_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrganisationMembership.schema).delete()
        try await database.schema(User.schema).delete()
    }
}
