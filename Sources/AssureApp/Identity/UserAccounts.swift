import AssureCore
import Fluent
import Foundation
import NIOPosix
import Vapor

/// Creates and changes accounts and their roles. Every change, including each role granted or
/// removed, is audited in the same transaction; passwords are checked against the NCSC policy
/// and hashed with bcrypt (cost 12) on the thread pool, never on an event loop.
struct UserAccounts {
    static let bcryptCost = 12

    let database: any Database
    let audit: AuditContext
    let threadPool: NIOThreadPool
    let clock: AssureClock

    struct AccountSummary: Sendable {
        var id: UUID?
        var email: String
        var displayName: String
        var status: String
        var hasPassword: Bool
        var roles: [(organisation: String, role: Role)]
    }

    func create(email rawEmail: String, displayName rawName: String, password: String?) async throws -> User {
        let email = try field { () throws(RuleError) in try EmailAddress(rawEmail) }
        let name = try checkedName(rawName)
        var hash: String?
        if let password {
            hash = try await hashChecked(password, personal: [email.value, String(email.value.prefix { $0 != "@" }), name])
        }
        let passwordHash = hash
        return try await database.writeTransaction { db in
            if try await User.query(on: db).filter(\.$email == email.value).first() != nil {
                throw AssureError(status: .conflict, title: "Already exists", detail: "An account for \(email) already exists",
                                  problems: [.init(field: "email", message: "An account for \(email) already exists")])
            }
            let user = User(email: email, displayName: name, passwordHash: passwordHash)
            try await user.create(on: db)
            try await AuditTrail.append([event("create", entityType: "user", entityID: email.value, organisation: nil,
                                              changes: ["email": .init(before: nil, after: email.value), "display_name": .init(before: nil, after: name),
                                                        "status": .init(before: nil, after: "active"), "password": .init(before: nil, after: passwordHash == nil ? nil : "set")])], on: db)
            return user
        }
    }

    /// Gives a person a role in an organisation (system-admin needs none). Granting a role is a
    /// permission change and is audited.
    func grant(email rawEmail: String, role rawRole: String, organisation code: String?) async throws {
        let role = try parseRole(rawRole)
        try await database.writeTransaction { db in
            let (user, organisation) = try await find(rawEmail, role == .systemAdmin ? nil : code, on: db)
            guard try await membership(of: user, role, in: organisation, on: db) == nil else { return }
            try await OrganisationMembership(userID: try user.requireID(), organisationID: organisation?.id, role: role).create(on: db)
            try await AuditTrail.append([event("grant-role", entityType: "membership", entityID: "\(user.email) \(role.rawValue)",
                                              organisation: organisation?.odsCode, changes: ["role": .init(before: nil, after: role.rawValue)])], on: db)
        }
    }

    func revoke(email rawEmail: String, role rawRole: String, organisation code: String?) async throws {
        let role = try parseRole(rawRole)
        try await database.writeTransaction { db in
            let (user, organisation) = try await find(rawEmail, role == .systemAdmin ? nil : code, on: db)
            guard let membership = try await membership(of: user, role, in: organisation, on: db) else {
                throw AssureError.notFound("\(user.email) does not hold the role \(role.rawValue)\(organisation.map { " in \($0.odsCode)" } ?? "")")
            }
            try await membership.delete(on: db)
            let tokens = try await APITokens.revokeUncovered(of: user.requireID(), at: clock.now(), on: db)
            try await AuditTrail.append([event("revoke-role", entityType: "membership", entityID: "\(user.email) \(role.rawValue)",
                                              organisation: organisation?.odsCode, changes: ["role": .init(before: role.rawValue, after: nil)]
                                                .merging(Self.tokenChange(tokens)) { $1 })], on: db)
        }
    }

    func membership(of user: User, _ role: Role, in organisation: OrganisationRecord?, on db: any Database) async throws -> OrganisationMembership? {
        let query = try OrganisationMembership.query(on: db).filter(\.$user.$id == user.requireID()).filter(\.$role == role.rawValue)
        if let organisation { query.filter(\.$organisation.$id == organisation.id) } else { query.filter(\.$organisation.$id == nil) }
        return try await query.first()
    }

    func setStatus(email rawEmail: String, _ status: User.Status) async throws {
        try await database.writeTransaction { db in
            let user = try await requireUser(rawEmail, on: db)
            guard user.status != status else { return }
            let before = user.status.rawValue
            user.status = status
            try await user.update(on: db)
            // A disabled person is signed out at once, everywhere.
            var tokens = 0
            if status == .disabled {
                try await SignInSession.query(on: db).filter(\.$user.$id == user.requireID()).delete()
                tokens = try await APITokens.revokeAll(of: user.requireID(), at: clock.now(), on: db)
            }
            try await AuditTrail.append([event(status == .disabled ? "disable" : "enable", entityType: "user", entityID: user.email,
                                              organisation: nil, changes: ["status": .init(before: before, after: status.rawValue)]
                                                .merging(Self.tokenChange(tokens)) { $1 })], on: db)
        }
    }

    /// Sets a new password (an administrator's reset). The audit entry says it changed, never what to.
    func setPassword(email rawEmail: String, _ password: String) async throws {
        let user = try await requireUser(rawEmail, on: database)
        let hash = try await hashChecked(password, personal: [user.email, String(user.email.prefix { $0 != "@" }), user.displayName])
        try await database.writeTransaction { db in
            let user = try await requireUser(rawEmail, on: db)
            user.passwordHash = hash
            try await user.update(on: db)
            try await AuditTrail.append([event("reset-password", entityType: "user", entityID: user.email, organisation: nil,
                                              changes: ["password": .init(before: "set", after: "changed")])], on: db)
        }
    }

    /// Checks a password against the stored hash on the thread pool; false for accounts without one.
    static func verify(_ password: String, against hash: String?, on threadPool: NIOThreadPool) async throws -> Bool {
        guard let hash else { return false }
        return try await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }
    }

    func list() async throws -> [AccountSummary] {
        let users = try await User.query(on: database).sort(\.$email).all()
        let memberships = try await OrganisationMembership.query(on: database).with(\.$organisation).all()
        let byUser = Dictionary(grouping: memberships, by: { $0.$user.id })
        return users.map { user in
            AccountSummary(
                id: user.id, email: user.email, displayName: user.displayName, status: user.status.rawValue, hasPassword: user.passwordHash != nil,
                roles: (byUser[user.id!] ?? []).compactMap { membership in
                    Role(rawValue: membership.role).map { (membership.organisation?.odsCode ?? "all", $0) }
                }.sorted { ($0.organisation, $0.role.rawValue) < ($1.organisation, $1.role.rawValue) }
            )
        }
    }

    // MARK: - Helpers

    func hashChecked(_ password: String, personal: [String]) async throws -> String {
        do { try PasswordPolicy.check(password, personal: personal) } catch {
            throw AssureError.invalid([RuleError(field: "password", message: error.message)])
        }
        return try await threadPool.runIfActive { try Bcrypt.hash(password, cost: Self.bcryptCost) }
    }

    func parseRole(_ raw: String) throws -> Role {
        guard let role = Role(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw AssureError.invalid([RuleError(field: "role", message: "Role '\(raw)' is not one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        return role
    }

    func requireUser(_ rawEmail: String, on db: any Database) async throws -> User {
        let email = try field { () throws(RuleError) in try EmailAddress(rawEmail) }
        guard let user = try await User.query(on: db).filter(\.$email == email.value).first() else {
            throw AssureError.notFound("No account has the email address \(email)")
        }
        return user
    }

    func find(_ rawEmail: String, _ code: String?, on db: any Database) async throws -> (User, OrganisationRecord?) {
        let user = try await requireUser(rawEmail, on: db)
        guard let code else { return (user, nil) }
        return (user, try await OrganisationDirectory(database: db).require(code))
    }

    func field<T>(_ body: () throws(RuleError) -> T) throws -> T {
        do { return try body() } catch { throw AssureError.invalid([error]) }
    }

    func event(_ action: String, entityType: String, entityID: String, organisation: String?,
                       changes: [String: AuditEvent.FieldChange]) -> AuditEvent {
        audit.event(action, entityType, entityID, organisation: organisation, changes: changes.filter { $0.value.before != $0.value.after })
    }
}
