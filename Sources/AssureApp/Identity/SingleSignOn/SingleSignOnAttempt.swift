import AssureCore
import Fluent
import Foundation
import SQLKit

/// A sign-in started at the provider and not yet finished. The browser holds the attempt's secret
/// (in a cookie); the state, nonce and PKCE verifier are derived from it, so only the state's
/// digest is stored — in the database, so the provider may send the browser back to any Assure
/// instance. Used once, then deleted; older than ten minutes, refused.
final class SingleSignOnAttempt: Model, @unchecked Sendable {
    static let schema = "single_sign_on_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "state_digest") var stateDigest: String
    @Field(key: "next") var next: String
    @Field(key: "started_at") var startedAt: Date

    init() {}

    init(stateDigest: String, next: String, startedAt: Date) {
        self.stateDigest = stateDigest
        self.next = next
        self.startedAt = startedAt
    }
}

extension SingleSignOnAttempt {
    /// What the browser's attempt secret yields: the state sent to the provider, the nonce the ID
    /// token must carry back, and the PKCE verifier.
    struct Secrets {
        var state: String
        var nonce: String
        var verifier: String

        init(_ secret: String) {
            state = Secret.derive(from: secret, purpose: "oidc-state")
            nonce = Secret.derive(from: secret, purpose: "oidc-nonce")
            verifier = Secret.derive(from: secret, purpose: "oidc-pkce-verifier")
        }
    }
}

/// The attempts table, and each account's link to its provider identity (the `sub` claim), so a
/// changed email address at the provider still finds the same person and a reused one does not.
struct CreateSingleSignOn: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SingleSignOnAttempt.schema)
            .id()
            .field("state_digest", .string, .required)
            .field("next", .string, .required)
            .field("started_at", .datetime, .required)
            .unique(on: "state_digest")
            .create()
        try await database.schema(User.schema).field("sso_subject", .string).update()
        let sql = try database.sqlDatabase
        try await sql.create(index: "users_sso_subject_idx").on(User.schema).column("sso_subject").unique().run()
    }

    func revert(on database: any Database) async throws {
        try await database.sqlDatabase.drop(index: "users_sso_subject_idx").run()
        try await database.schema(User.schema).deleteField("sso_subject").update()
        try await database.schema(SingleSignOnAttempt.schema).delete()
    }
}
