import AssureCore
import Fluent
import Foundation
import Vapor

/// What the people pages and API do to accounts, each in one transaction with its audit entries.
/// Authorisation is the caller's: these assume the caller may do it.
extension UserAccounts {
    struct Invitation: Sendable {
        var user: User
        var created: Bool
        /// The set-your-password link for a new account, shown once.
        var link: String?
    }

    /// Gives a person a role in an organisation, creating their account first if Assure does not
    /// know them (with an invitation link to set a password, or single sign-on).
    func addMember(email rawEmail: String, displayName rawName: String?, role rawRole: String, organisation: OrganisationRecord,
                   baseURL: String, now: Date) async throws -> Invitation {
        var problems: [RuleError] = []
        var email: EmailAddress?
        do { email = try EmailAddress(rawEmail) } catch { problems.append(error) }
        var role: Role?
        do { role = try parseRole(rawRole) } catch let error as AssureError { problems += error.problems.map { RuleError(field: $0.field, message: $0.message) } }
        if role == .systemAdmin { problems.append(RuleError(field: "role", message: "System administrator is not a role in an organisation; a system administrator adds it on the People page")) }
        guard problems.isEmpty, let email, let role else { throw AssureError.invalid(problems) }
        return try await database.writeTransaction { db in
            var created = false
            var link: String?
            let user: User
            if let existing = try await User.query(on: db).filter(\.$email == email.value).first() {
                user = existing
            } else {
                let name = try checkedName(rawName ?? "")
                user = User(email: email, displayName: name, passwordHash: nil)
                try await user.create(on: db)
                created = true
                link = try await PasswordLinks.issue(for: user, .invitation, now: now, baseURL: baseURL, on: db)
                try await AuditTrail.append([event("create", entityType: "user", entityID: email.value, organisation: organisation.odsCode,
                                                  changes: ["email": .init(before: nil, after: email.value), "display_name": .init(before: nil, after: name),
                                                            "status": .init(before: nil, after: "active"), "invitation": .init(before: nil, after: "issued")])], on: db)
            }
            if try await membership(of: user, role, in: organisation, on: db) != nil {
                throw AssureError(status: .conflict, title: "Already has this role", detail: "\(user.email) already holds the role \(role.displayName.lowercased()) in \(organisation.name)",
                                  problems: [.init(field: "role", message: "\(user.email) already holds this role here")])
            }
            try await OrganisationMembership(userID: try user.requireID(), organisationID: organisation.id, role: role).create(on: db)
            try await AuditTrail.append([event("grant-role", entityType: "membership", entityID: "\(user.email) \(role.rawValue)",
                                              organisation: organisation.odsCode, changes: ["role": .init(before: nil, after: role.rawValue)])], on: db)
            return Invitation(user: user, created: created, link: link)
        }
    }

    /// A new account with no role yet (a system administrator's People page), or a new system administrator.
    func createAccount(email rawEmail: String, displayName rawName: String, systemAdministrator: Bool, baseURL: String, now: Date) async throws -> Invitation {
        var problems: [RuleError] = []
        var email: EmailAddress?
        do { email = try EmailAddress(rawEmail) } catch { problems.append(error) }
        var name = ""
        do { name = try checkedName(rawName) } catch let error as AssureError { problems += error.problems.map { RuleError(field: $0.field, message: $0.message) } }
        guard problems.isEmpty, let email else { throw AssureError.invalid(problems) }
        let checkedName = name
        return try await database.writeTransaction { db in
            let name = checkedName
            if try await User.query(on: db).filter(\.$email == email.value).first() != nil {
                throw AssureError(status: .conflict, title: "Already exists", detail: "An account for \(email) already exists",
                                  problems: [.init(field: "email", message: "An account for \(email) already exists")])
            }
            let user = User(email: email, displayName: name, passwordHash: nil)
            try await user.create(on: db)
            let link = try await PasswordLinks.issue(for: user, .invitation, now: now, baseURL: baseURL, on: db)
            var events = [event("create", entityType: "user", entityID: email.value, organisation: nil,
                                changes: ["email": .init(before: nil, after: email.value), "display_name": .init(before: nil, after: name),
                                          "status": .init(before: nil, after: "active"), "invitation": .init(before: nil, after: "issued")])]
            if systemAdministrator {
                try await OrganisationMembership(userID: try user.requireID(), organisationID: nil, role: .systemAdmin).create(on: db)
                events.append(event("grant-role", entityType: "membership", entityID: "\(email.value) system-admin", organisation: nil,
                                    changes: ["role": .init(before: nil, after: Role.systemAdmin.rawValue)]))
            }
            try await AuditTrail.append(events, on: db)
            return Invitation(user: user, created: true, link: link)
        }
    }

    /// Removes one role held in this organisation.
    func removeMembership(_ id: UUID, in organisation: OrganisationRecord) async throws {
        try await database.writeTransaction { db in
            guard let membership = try await OrganisationMembership.query(on: db).filter(\.$id == id).filter(\.$organisation.$id == organisation.id)
                    .with(\.$user).first() else {
                throw AssureError.notFound("\(organisation.name) has no such membership")
            }
            try await membership.delete(on: db)
            let tokens = try await APITokens.revokeUncovered(of: membership.user.requireID(), at: clock.now(), on: db)
            try await AuditTrail.append([event("revoke-role", entityType: "membership", entityID: "\(membership.user.email) \(membership.role)",
                                              organisation: organisation.odsCode, changes: ["role": .init(before: membership.role, after: nil)]
                                                .merging(Self.tokenChange(tokens)) { $1 })], on: db)
        }
    }

    /// A new link for the person to choose a password; the old password stops working now.
    func issueReset(for user: User, baseURL: String, now: Date) async throws -> String {
        try await database.writeTransaction { db in
            user.passwordHash = nil
            try await user.update(on: db)
            try await SignInSession.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            let tokens = try await APITokens.revokeAll(of: user.requireID(), at: now, on: db)
            let link = try await PasswordLinks.issue(for: user, .reset, now: now, baseURL: baseURL, on: db)
            try await AuditTrail.append([event("reset-password", entityType: "user", entityID: user.email, organisation: nil,
                                              changes: ["password": .init(before: "set", after: "reset link issued")].merging(Self.tokenChange(tokens)) { $1 })], on: db)
            return link
        }
    }

    /// An organisation administrator's reset: the password stops working and every session, token
    /// and outstanding link ends, but no new link is made (a system administrator issues that).
    func endPassword(of user: User, now: Date) async throws {
        try await database.writeTransaction { db in
            user.passwordHash = nil
            try await user.update(on: db)
            try await SignInSession.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            try await PasswordLink.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            let tokens = try await APITokens.revokeAll(of: user.requireID(), at: now, on: db)
            try await AuditTrail.append([event("reset-password", entityType: "user", entityID: user.email, organisation: nil,
                                              changes: ["password": .init(before: "set", after: "reset; link left to a system administrator")]
                                                .merging(Self.tokenChange(tokens)) { $1 })], on: db)
        }
    }

    /// Ends every session and API token the person has; returns how many of each.
    @discardableResult
    func signOutEverywhere(_ user: User) async throws -> (sessions: Int, tokens: Int) {
        try await database.writeTransaction { db in
            let sessions = try await SignInSession.query(on: db).filter(\.$user.$id == user.requireID()).count()
            try await SignInSession.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            let tokens = try await APITokens.revokeAll(of: user.requireID(), at: clock.now(), on: db)
            try await AuditTrail.append([event("sign-out-everywhere", entityType: "user", entityID: user.email, organisation: nil,
                                              changes: Self.tokenChange(tokens))], on: db)
            return (sessions, tokens)
        }
    }

    /// The audit trail records how many API tokens a change ended.
    static func tokenChange(_ count: Int) -> [String: AuditEvent.FieldChange] {
        count == 0 ? [:] : ["api_tokens": .init(before: "\(count) live", after: "revoked")]
    }

    /// Sets the password from a link; the link is used up and the person's other sessions end.
    func setPassword(from token: String, password: String, confirmation: String, now: Date) async throws -> User {
        guard let (_, user) = try await PasswordLinks.find(token, now: now, on: database) else {
            throw AssureError(status: .notFound, title: "Link not valid",
                              detail: "This link has expired or has already been used. Ask your Assure administrator for a new one.")
        }
        guard password == confirmation else {
            throw AssureError.invalid([RuleError(field: "confirm", message: "The two passwords are not the same")])
        }
        let hash = try await hashChecked(password, personal: [user.email, String(user.email.prefix { $0 != "@" }), user.displayName])
        return try await database.writeTransaction { db in
            guard let (link, user) = try await PasswordLinks.find(token, now: now, on: db) else {
                throw AssureError(status: .notFound, title: "Link not valid", detail: "This link has already been used.")
            }
            try await link.delete(on: db)
            user.passwordHash = hash
            try await user.update(on: db)
            try await SignInSession.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            try await AuditTrail.append([audit.acting(as: user.email).event("set-password", "user", user.email, organisation: nil,
                                                                            changes: ["password": .init(before: nil, after: "set by its owner")])], on: db)
            return user
        }
    }

    /// The signed-in person changes their own password; their other sessions end.
    func changeOwnPassword(userID: UUID, sessionID: UUID, current: String, new: String, confirmation: String) async throws {
        guard let user = try await User.find(userID, on: database) else { throw AssureError.notFound("Your account no longer exists") }
        guard try await Self.verify(current, against: user.passwordHash, on: threadPool) else {
            throw AssureError.invalid([RuleError(field: "current", message: "Your current password is not right")])
        }
        guard new == confirmation else { throw AssureError.invalid([RuleError(field: "confirm", message: "The two new passwords are not the same")]) }
        let hash = try await hashChecked(new, personal: [user.email, String(user.email.prefix { $0 != "@" }), user.displayName])
        try await database.writeTransaction { db in
            user.passwordHash = hash
            try await user.update(on: db)
            try await SignInSession.query(on: db).filter(\.$user.$id == userID).filter(\.$id != sessionID).delete()
            try await AuditTrail.append([event("change-password", entityType: "user", entityID: user.email, organisation: nil,
                                              changes: ["password": .init(before: "set", after: "changed")])], on: db)
        }
    }

    func checkedName(_ rawName: String) throws -> String {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AssureError.invalid([RuleError(field: "display_name", message: "Enter the person's name (1 to 200 characters)")])
        }
        return name
    }

    /// One action on a person's account from their page or the API, saying what happened (with a
    /// reset link for a system administrator, shown once). Nobody acts on their own account here.
    func perform(_ action: SiteURL.PersonAction, on user: User, by identity: Identity, baseURL: String) async throws -> (title: String, text: String, secret: String?) {
        if try user.requireID() == identity.userID, action != .signOutEverywhere {
            throw AssureError(status: .conflict, title: "Your own account",
                              detail: "You cannot \(action == .resetPassword ? "reset" : action.rawValue) your own account here. Use Your account to change your password.")
        }
        switch action {
        case .disable:
            try await setStatus(email: user.email, .disabled)
            return ("Account disabled", "\(user.displayName) can no longer sign in, has been signed out everywhere, and every API token they had has been revoked.", nil)
        case .enable:
            try await setStatus(email: user.email, .active)
            return ("Account enabled", "\(user.displayName) can sign in again.", nil)
        case .resetPassword where !AccessPolicy.allowsSystemWide(identity.memberships, .administerSystem):
            // An organisation administrator could otherwise take over the account with the link.
            try await endPassword(of: user, now: clock.now())
            return ("Password reset", "\(user.displayName)'s old password no longer works, they have been signed out everywhere and every API token they had has been revoked. You will not see a new link: ask a system administrator to issue one and give it to \(user.displayName) by a route you both trust.", nil)
        case .resetPassword:
            let link = try await issueReset(for: user, baseURL: baseURL, now: clock.now())
            return ("Password reset (system administrators only see this link)", "\(user.displayName)'s old password no longer works, they have been signed out everywhere and every API token they had has been revoked. Whoever holds this link can take over the account: give it only to \(user.displayName), by a route you trust. It works once, for 7 days, and will not be shown again.", link)
        case .signOutEverywhere:
            let ended = try await signOutEverywhere(user)
            return ("Signed out everywhere", "\(user.displayName)'s \(Words.count(ended.sessions, "session")) and \(Words.count(ended.tokens, "API token")) have ended.", nil)
        }
    }
}
