import AssureCore
import Foundation
import Vapor

/// `assure users add | grant | revoke | disable | enable | password | list`: account administration
/// from the command line. Passwords are read from standard input, never from arguments (which
/// end up in shell history and process listings).
struct UsersCommand: AsyncCommandGroup {
    var help: String { "Manage user accounts and their roles" }
    var commands: [String: any AnyAsyncCommand] {
        ["add": AddUserCommand(), "grant": RoleCommand(granting: true), "revoke": RoleCommand(granting: false),
         "disable": StatusCommand(status: .disabled), "enable": StatusCommand(status: .active),
         "password": PasswordCommand(), "list": ListUsersCommand()]
    }
}

extension CommandContext {
    var accounts: UserAccounts {
        UserAccounts(database: application.db, audit: .command("users"), threadPool: application.threadPool, clock: application.clock)
    }

    /// Runs an account change, turning field problems into one clear message and a non-zero exit.
    func reportingProblems(_ what: String, _ body: () async throws -> Void) async throws {
        try await AssureStartup.requireCurrentSchema(application)
        do { try await body() } catch let error as AssureError {
            let detail = error.problems.isEmpty ? error.detail : error.problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            throw CommandFailure(message: "\(what): \(detail)")
        }
    }

    func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandFailure(message: "users: --password-stdin was given but no password arrived on standard input")
        }
        return line
    }
}

struct AddUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The person's email address (their sign-in name)") var email: String?
        @Option(name: "name", help: "Their name as shown in Assure") var name: String?
        @Flag(name: "password-stdin", help: "Read an initial password from standard input") var passwordStdin: Bool
    }

    var help: String { "Adds an account. Without --password-stdin it has no password until one is set." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, let name = signature.name else { throw CommandFailure(message: "users add: --email and --name are required") }
        let password = signature.passwordStdin ? try context.readPassword() : nil
        try await context.reportingProblems("users add") {
            _ = try await context.accounts.create(email: email, displayName: name, password: password)
        }
        context.console.print("Added \(email.lowercased())\(password == nil ? " (no password set)" : "")")
    }
}

struct RoleCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account") var email: String?
        @Option(name: "role", help: "viewer, contributor, manager, clinical-safety-officer, auditor, org-admin, oversight or system-admin") var role: String?
        @Option(name: "org", help: "The organisation's ODS code (not for system-admin)") var org: String?
    }

    let granting: Bool
    var help: String { granting ? "Gives an account a role in an organisation" : "Removes a role from an account" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let verb = granting ? "grant" : "revoke"
        guard let email = signature.email, let role = signature.role, signature.org != nil || role == "system-admin" else {
            throw CommandFailure(message: "users \(verb): --email, --role and --org are required (--org is not needed for system-admin)")
        }
        let org = signature.org
        try await context.reportingProblems("users \(verb)") {
            if granting { try await context.accounts.grant(email: email, role: role, organisation: org) }
            else { try await context.accounts.revoke(email: email, role: role, organisation: org) }
        }
        let place = role == "system-admin" ? "across Assure" : "in \(org?.uppercased() ?? "")"
        context.console.print(granting ? "\(email.lowercased()) is \(role) \(place)" : "\(email.lowercased()) is no longer \(role) \(place)")
    }
}

struct StatusCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account") var email: String?
    }

    let status: User.Status
    var help: String { status == .disabled ? "Disables an account (it can no longer sign in)" : "Enables a disabled account" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email else { throw CommandFailure(message: "users: --email is required") }
        try await context.reportingProblems(status == .disabled ? "users disable" : "users enable") {
            try await context.accounts.setStatus(email: email, status)
        }
        context.console.print("\(email.lowercased()) is \(status.rawValue)")
    }
}

struct PasswordCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account") var email: String?
        @Flag(name: "password-stdin", help: "Read the new password from standard input (required)") var passwordStdin: Bool
    }

    var help: String { "Sets a new password for an account (reset)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, signature.passwordStdin else {
            throw CommandFailure(message: "users password: --email and --password-stdin are required")
        }
        let password = try context.readPassword()
        try await context.reportingProblems("users password") { try await context.accounts.setPassword(email: email, password) }
        context.console.print("New password set for \(email.lowercased())")
    }
}

struct ListUsersCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Lists accounts and their roles" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.reportingProblems("users list") {
            let accounts = try await context.accounts.list()
            if accounts.isEmpty { context.console.print("No accounts yet. Add one with: assure users add --email … --name …") }
            for account in accounts {
                let roles = account.roles.map { "\($0.role.rawValue)@\($0.organisation)" }.joined(separator: ", ")
                context.console.print("\(account.email)\t\(account.displayName)\t\(account.status)\(account.hasPassword ? "" : " (no password)")\t\(roles.isEmpty ? "no roles" : roles)")
            }
        }
    }
}
