import ArgumentParser
import AssureCore
import Foundation
import Vapor

/// `assure users add | grant | revoke | disable | enable | password | list`: account administration
/// from the command line. Passwords are read from standard input, never from arguments (which
/// end up in shell history and process listings).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage user accounts and their roles.",
        subcommands: [AddUserCommand.self, GrantRoleCommand.self, RevokeRoleCommand.self, DisableUserCommand.self, EnableUserCommand.self,
                      PasswordCommand.self, ListUsersCommand.self])

    static func accounts(_ app: Application) -> UserAccounts {
        UserAccounts(database: app.db, audit: .command("users", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
    }

    /// Runs an account change, turning field problems into one clear message and a non-zero exit.
    static func change<T: Sendable>(_ what: String, _ storage: StorageOptions, _ body: (Application) async throws -> T) async throws -> T {
        try await CommandSession.run(storage) { app in
            do { return try await body(app) } catch let error as AssureError {
                let detail = error.problems.isEmpty ? error.detail : error.problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
                throw CommandFailure(message: "\(what): \(detail)")
            }
        }
    }

    static func readPassword(_ what: String) throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandFailure(message: "\(what): --password-stdin was given but no password arrived on standard input")
        }
        return line
    }
}

/// What a users or tokens command did, for --json.
struct AccountChange: Encodable {
    var email: String
    var change: String
    var role: String?
    var organisation: String?
}

struct AddUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Adds an account. Without --password-stdin it has no password until one is set.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOption(help: "The person's email address (their sign-in name).") var email: String
    @CommandOption(help: "Their name as shown in Assure.") var name: String
    @CommandFlag(name: .customLong("password-stdin"), help: "Read an initial password from standard input.") var passwordStdin = false

    func run() async throws {
        let (output, email, name) = (output.output, email, name)
        let password = passwordStdin ? try UsersCommand.readPassword("users add") : nil
        try await UsersCommand.change("users add", storage) { app in
            _ = try await UsersCommand.accounts(app).create(email: email, displayName: name, password: password)
        }
        output.say("Added \(email.lowercased())\(password == nil ? " (no password set)" : "")")
        try output.summary(AccountChange(email: email.lowercased(), change: "added"))
    }
}

/// `--email`, `--role` and `--org` for granting and revoking a role.
struct RoleOptions: ParsableArguments {
    @CommandOption(help: "The account.") var email: String
    @CommandOption(help: "viewer, contributor, manager, clinical-safety-officer, auditor, org-admin, oversight or system-admin.") var role: String
    @CommandOption(help: "The organisation's ODS code (not for system-admin).") var org: String?

    func validate() throws {
        guard org != nil || role == "system-admin" else { throw UsageError("--org is required (it is not needed for system-admin only)") }
    }

    var place: String { role == "system-admin" ? "across Assure" : "in \(org?.uppercased() ?? "")" }
}

struct GrantRoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Gives an account a role in an organisation.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOptions var role: RoleOptions

    func run() async throws {
        let (output, role) = (output.output, role)
        try await UsersCommand.change("users grant", storage) { app in
            try await UsersCommand.accounts(app).grant(email: role.email, role: role.role, organisation: role.org)
        }
        output.say("\(role.email.lowercased()) is \(role.role) \(role.place)")
        try output.summary(AccountChange(email: role.email.lowercased(), change: "granted", role: role.role, organisation: role.org?.uppercased()))
    }
}

struct RevokeRoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Removes a role from an account.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOptions var role: RoleOptions

    func run() async throws {
        let (output, role) = (output.output, role)
        try await UsersCommand.change("users revoke", storage) { app in
            try await UsersCommand.accounts(app).revoke(email: role.email, role: role.role, organisation: role.org)
        }
        output.say("\(role.email.lowercased()) is no longer \(role.role) \(role.place)")
        try output.summary(AccountChange(email: role.email.lowercased(), change: "revoked", role: role.role, organisation: role.org?.uppercased()))
    }
}

/// Disabling and enabling differ only in the status they set.
struct AccountStatusChange {
    static func run(_ status: User.Status, email: String, storage: StorageOptions, output: CommandOutput) async throws {
        try await UsersCommand.change(status == .disabled ? "users disable" : "users enable", storage) { app in
            try await UsersCommand.accounts(app).setStatus(email: email, status)
        }
        output.say("\(email.lowercased()) is \(status.rawValue)")
        try output.summary(AccountChange(email: email.lowercased(), change: status.rawValue))
    }
}

struct DisableUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disables an account (it can no longer sign in).")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOption(help: "The account.") var email: String

    func run() async throws { try await AccountStatusChange.run(.disabled, email: email, storage: storage, output: output.output) }
}

struct EnableUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enables a disabled account.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOption(help: "The account.") var email: String

    func run() async throws { try await AccountStatusChange.run(.active, email: email, storage: storage, output: output.output) }
}

struct PasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "password", abstract: "Sets a new password for an account (reset).")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOption(help: "The account.") var email: String
    @CommandFlag(name: .customLong("password-stdin"), help: "Read the new password from standard input (required).") var passwordStdin = false

    func validate() throws {
        guard passwordStdin else { throw UsageError("--password-stdin is required: a password is never taken from the command line") }
    }

    func run() async throws {
        let (output, email) = (output.output, email)
        let password = try UsersCommand.readPassword("users password")
        try await UsersCommand.change("users password", storage) { app in try await UsersCommand.accounts(app).setPassword(email: email, password) }
        output.say("New password set for \(email.lowercased())")
        try output.summary(AccountChange(email: email.lowercased(), change: "password set"))
    }
}

struct ListUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists accounts and their roles.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    struct Account: Encodable { var email, name, status: String; var hasPassword: Bool; var roles: [Role] }
    struct Role: Encodable { var role, organisation: String }

    func run() async throws {
        let output = output.output
        try await UsersCommand.change("users list", storage) { app in
            let accounts = try await UsersCommand.accounts(app).list()
            if accounts.isEmpty { output.say("No accounts yet. Add one with: assure users add --email … --name …") }
            for account in accounts {
                let roles = account.roles.map { "\($0.role.rawValue)@\($0.organisation)" }.joined(separator: ", ")
                output.say("\(account.email)\t\(account.displayName)\t\(account.status)\(account.hasPassword ? "" : " (no password)")\t\(roles.isEmpty ? "no roles" : roles)")
            }
            try output.summary(accounts.map { account in
                Account(email: account.email, name: account.displayName, status: "\(account.status)", hasPassword: account.hasPassword,
                        roles: account.roles.map { Role(role: $0.role.rawValue, organisation: $0.organisation) })
            })
        }
    }
}
