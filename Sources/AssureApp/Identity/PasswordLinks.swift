import AssureCore
import Fluent
import Foundation
import Vapor

/// A single-use link that lets a person choose their own password: an invitation to a new
/// account, or a reset. Administrators never choose or see a person's password; they pass on
/// the link. Only the link's SHA-256 is stored; it lasts seven days and a newer link replaces it.
final class PasswordLink: Model, @unchecked Sendable {
    static let schema = "password_links"
    static let lifetime: TimeInterval = 7 * 86_400

    enum Purpose: String, Codable, Sendable { case invitation, reset }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_digest") var tokenDigest: String
    @Enum(key: "purpose") var purpose: Purpose
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

struct CreatePasswordLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PasswordLink.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("token_digest", .string, .required)
            .field("purpose", .string, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_digest")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PasswordLink.schema).delete()
    }
}

enum PasswordLinks {
    /// Replaces any earlier link for the person and returns the new one (shown once). Call inside
    /// the transaction that audits why it was issued.
    static func issue(for user: User, _ purpose: PasswordLink.Purpose, now: Date, baseURL: String, on db: any Database) async throws -> String {
        try await PasswordLink.query(on: db).filter(\.$user.$id == user.requireID()).delete()
        let token = Secret.generate()
        let link = PasswordLink()
        link.$user.id = try user.requireID()
        link.tokenDigest = Secret.digest(token)
        link.purpose = purpose
        link.expiresAt = now.addingTimeInterval(PasswordLink.lifetime)
        try await link.create(on: db)
        // In the query, not the path: request logs record paths only.
        return baseURL + SiteURL.setPassword.with(query: [("token", token)])
    }

    /// The person a still-valid link belongs to.
    static func find(_ token: String, now: Date, on db: any Database) async throws -> (PasswordLink, User)? {
        guard !token.isEmpty, let link = try await PasswordLink.query(on: db).filter(\.$tokenDigest == Secret.digest(token)).with(\.$user).first(),
              link.expiresAt > now, link.user.status == .active else { return nil }
        return (link, link.user)
    }
}
