import ArgumentParser
import Foundation
import Vapor

/// `assure tokens create | revoke`: personal API tokens, printed once.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Issue and revoke personal API tokens.", subcommands: [CreateTokenCommand.self, RevokeTokenCommand.self])

    static func tokens(_ app: Application) -> APITokens { APITokens(database: app.db, audit: .command("tokens", clock: app.clock), clock: app.clock) }
}

struct CreateTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Issues an API token and prints it once; only its hash is kept.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOption(help: "The account the token acts for.") var email: String
    @CommandOption(help: "The one organisation it may touch (ODS code; not for system-admin).") var org: String?
    @CommandOption(help: "Its role there, no higher than the owner's.") var role: String
    @CommandOption(help: "What it is for, e.g. the system that uses it.") var name: String
    @CommandOption(help: "Days until it expires, 1 to 366.") var days = 90

    func validate() throws {
        guard org != nil || role == "system-admin" else { throw UsageError("--org is required (it is not needed for system-admin only)") }
        guard (1...366).contains(days) else { throw UsageError("--days must be from 1 to 366") }
    }

    struct Summary: Encodable { var token, email, role, name: String; var organisation: String?; var days: Int }

    func run() async throws {
        let (output, email, org, role, name, days) = (output.output, email, org, role, name, days)
        let token = try await UsersCommand.change("tokens create", storage) { app in
            try await TokensCommand.tokens(app).issue(email: email, organisation: org, role: role, name: name, days: days)
        }
        // The token alone on standard output (even with --quiet), so scripts can capture it; it cannot be shown again.
        if output.json {
            try output.summary(Summary(token: token, email: email.lowercased(), role: role, name: name, organisation: org?.uppercased(), days: days))
        } else {
            output.standardOutput(token)
        }
    }
}

struct RevokeTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revokes an API token by its owner and name.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOption(help: "The token's owner.") var email: String
    @CommandOption(help: "The token's name.") var name: String

    func run() async throws {
        let (output, email, name) = (output.output, email, name)
        try await UsersCommand.change("tokens revoke", storage) { app in try await TokensCommand.tokens(app).revoke(email: email, name: name) }
        output.say("Revoked \(email.lowercased())'s token '\(name)'")
        try output.summary(AccountChange(email: email.lowercased(), change: "token revoked"))
    }
}
