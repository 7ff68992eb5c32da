import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A personal API token: one organisation, one role no higher than a role its owner holds there,
/// an expiry. Only the SHA-256 of the token is stored; the token itself is shown once.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    static let prefix = "assure_"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "token_digest") var tokenDigest: String
    /// Nil only for a system administrator's token, which acts across Assure.
    @OptionalParent(key: "organisation_id") var organisation: Organisation?
    @Field(key: "role") var role: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

struct CreateAPITokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_digest", .string, .required)
            .field("organisation_id", .uuid, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_digest")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIToken.schema).delete()
    }
}

/// Issues, revokes and reads API tokens; issuing and revoking are audited (never the token).
struct APITokens {
    static let longestLife = 366

    let database: any Database
    let audit: AuditContext
    let clock: AssureClock

    /// Returns the token, which is never stored or shown again.
    func issue(email: String, organisation code: String?, role rawRole: String, name rawName: String, days: Int) async throws -> String {
        guard let role = Role(rawValue: rawRole.lowercased()) else {
            throw AssureError.invalid([RuleError(field: "role", message: "Role '\(rawRole)' is not one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        guard (1...Self.longestLife).contains(days) else {
            throw AssureError.invalid([RuleError(field: "days", message: "A token must expire within 1 to \(Self.longestLife) days")])
        }
        let name = rawName.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(name.count) else {
            throw AssureError.invalid([RuleError(field: "name", message: "Name the token (1 to 100 characters), e.g. the system that will use it")])
        }
        let token = Secret.generate(prefix: APIToken.prefix)
        let now = clock.now()
        try await database.writeTransaction { db in
            let normalised = email.trimmingCharacters(in: .whitespaces).lowercased()
            guard let user = try await User.query(on: db).filter(\.$email == normalised).first(), user.status == .active else {
                throw AssureError.notFound("No active account has the email address \(normalised)")
            }
            let held = try await SessionMiddleware.memberships(of: user.requireID(), on: db)
            var organisation: OrganisationRecord?
            if role == .systemAdmin {
                guard held.contains(where: { $0.role == .systemAdmin }) else {
                    throw AssureError(status: .forbidden, title: "Role too high", detail: "\(normalised) is not a system administrator",
                                      problems: [.init(field: "role", message: "Only a system administrator may have a system-admin token")])
                }
            } else {
                guard let code else {
                    throw AssureError.invalid([RuleError(field: "org", message: "Name the organisation the token may touch")])
                }
                let found = try await OrganisationDirectory(database: db).require(code)
                let ancestors = try await OrganisationDirectory(database: db).ancestry(of: found.odsCode).dropLast().map(\.odsCode)
                // The owner must hold, in this organisation (directly or by reach), a role at least as strong.
                let allowed = held.contains { membership in
                    role.isNoHigher(than: membership.role)
                        && (membership.role == .systemAdmin || membership.organisation == found.odsCode
                            || (membership.role.reachesDescendants && ancestors.contains(membership.organisation)))
                }
                guard allowed else {
                    throw AssureError(status: .forbidden, title: "Role too high",
                                      detail: "\(normalised) holds no role in \(found.odsCode) that includes \(role.rawValue), so a token cannot have it",
                                      problems: [.init(field: "role", message: "No higher than a role the owner holds in \(found.odsCode)")])
                }
                organisation = found
            }
            let record = APIToken()
            record.$user.id = try user.requireID()
            record.name = name
            record.tokenDigest = Secret.digest(token)
            record.$organisation.id = organisation?.id
            record.role = role.rawValue
            record.expiresAt = now.addingTimeInterval(Double(days) * 86_400)
            try await record.create(on: db)
            try await AuditTrail.append([audit.event("issue-token", "api-token", "\(normalised) \(name)", organisation: organisation?.odsCode,
                changes: ["role": .init(before: nil, after: role.rawValue),
                          "expires_at": .init(before: nil, after: AuditEntry.timestamp(record.expiresAt))])], on: db)
        }
        return token
    }

    /// Revokes one of the owner's own tokens (the tokens page).
    func revoke(id: UUID, ownedBy userID: UUID) async throws {
        try await database.writeTransaction { db in
            guard let token = try await APIToken.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).with(\.$user).with(\.$organisation).first() else {
                throw AssureError.notFound("You have no such token")
            }
            guard token.revokedAt == nil else { return }
            token.revokedAt = clock.now()
            try await token.update(on: db)
            try await AuditTrail.append([audit.event("revoke-token", "api-token", "\(token.user.email) \(token.name)", organisation: token.organisation?.odsCode,
                changes: ["revoked": .init(before: nil, after: "yes")])], on: db)
        }
    }

    func revoke(email: String, name: String) async throws {
        try await database.writeTransaction { db in
            let normalised = email.trimmingCharacters(in: .whitespaces).lowercased()
            let tokens = try await APIToken.query(on: db).join(User.self, on: \APIToken.$user.$id == \User.$id)
                .filter(User.self, \.$email == normalised).filter(\.$name == name).filter(\.$revokedAt == nil).with(\.$organisation).all()
            guard !tokens.isEmpty else { throw AssureError.notFound("\(normalised) has no active token named '\(name)'") }
            for token in tokens {
                token.revokedAt = clock.now()
                try await token.update(on: db)
                try await AuditTrail.append([audit.event("revoke-token", "api-token", "\(normalised) \(name)", organisation: token.organisation?.odsCode,
                changes: ["revoked": .init(before: nil, after: "yes")])], on: db)
            }
        }
    }
}

extension APITokens {
    /// Ends every live token a person has: a password reset, disabling the account and "sign out
    /// everywhere" all mean the person's credentials may be in the wrong hands. Returns how many.
    static func revokeAll(of userID: UUID, at now: Date, on db: any Database) async throws -> Int {
        let live = try await APIToken.query(on: db).filter(\.$user.$id == userID).filter(\.$revokedAt == nil).all()
        for token in live {
            token.revokedAt = now
            try await token.update(on: db)
        }
        return live.count
    }

    /// The ODS codes above a token's organisation (none for a system administrator's token).
    static func ancestors(of code: String?, on db: any Database) async throws -> [String] {
        guard let code else { return [] }
        return try await OrganisationDirectory(database: db).ancestry(of: code).dropLast().map(\.odsCode)
    }

    /// Ends the tokens whose whole role the person no longer holds (after a role is removed): a
    /// token is never left to act with less than it says. Returns how many.
    static func revokeUncovered(of userID: UUID, at now: Date, on db: any Database) async throws -> Int {
        let owner = try await SessionMiddleware.memberships(of: userID, on: db)
        var revoked = 0
        for token in try await APIToken.query(on: db).filter(\.$user.$id == userID).filter(\.$revokedAt == nil).with(\.$organisation).all() {
            let code = token.organisation?.odsCode
            let ancestors = try await ancestors(of: code, on: db)
            let scope = Role(rawValue: token.role)
            if let scope, AccessPolicy.effectiveTokenRole(scope: scope, organisation: code, ancestors: ancestors, owner: owner) == scope { continue }
            token.revokedAt = now
            try await token.update(on: db)
            revoked += 1
        }
        return revoked
    }
}

/// Reads `Authorization: Bearer …` on API requests and puts the token's owner, scoped to the
/// token's single organisation and role, on the request. The API never reads cookies.
struct BearerTokenMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.url.path.hasPrefix("/api/") else { return try await next.respond(to: request) }
        request.identity = nil
        guard let bearer = request.headers.bearerAuthorization?.token else { return try await next.respond(to: request) }
        let now = request.application.clock.now()
        guard let token = try await APIToken.query(on: request.db).filter(\.$tokenDigest == Secret.digest(bearer))
                .with(\.$user).with(\.$organisation).first(),
              token.revokedAt == nil, token.expiresAt > now, token.user.status == .active, let role = Role(rawValue: token.role) else {
            throw AssureError(status: .unauthorized, title: "Not signed in",
                              detail: "The API token is not valid: it is unknown, revoked or expired. Create a new one with assure tokens create.")
        }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            token.lastUsedAt = now
            try await request.db.writeTransaction { db in try await token.update(on: db) }
        }
        let code = token.organisation?.odsCode
        let ancestors = try await APITokens.ancestors(of: code, on: request.db)
        let owner = try await SessionMiddleware.memberships(of: token.user.requireID(), on: request.db)
        guard let effective = AccessPolicy.effectiveTokenRole(scope: role, organisation: code, ancestors: ancestors, owner: owner) else {
            throw AssureError(status: .unauthorized, title: "Not signed in",
                              detail: "The API token no longer works: its owner no longer holds a role in \(code ?? "Assure") that it could act with. Create a new one.")
        }
        request.identity = Identity(userID: try token.user.requireID(), email: token.user.email, displayName: token.user.displayName,
                                    memberships: [Membership(organisation: code ?? "", role: effective)],
                                    sessionID: try token.requireID(), csrfToken: "")
        return try await next.respond(to: request)
    }
}
