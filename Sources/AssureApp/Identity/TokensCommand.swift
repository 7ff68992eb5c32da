import Foundation
import Vapor

/// `assure tokens create | revoke`: personal API tokens, printed once.
struct TokensCommand: AsyncCommandGroup {
    var help: String { "Issue and revoke personal API tokens" }
    var commands: [String: any AnyAsyncCommand] { ["create": CreateTokenCommand(), "revoke": RevokeTokenCommand()] }
}

extension CommandContext {
    var tokens: APITokens { APITokens(database: application.db, audit: .command("tokens"), clock: application.clock) }
}

struct CreateTokenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account the token acts for") var email: String?
        @Option(name: "org", help: "The one organisation it may touch (ODS code)") var org: String?
        @Option(name: "role", help: "Its role there, no higher than the owner's") var role: String?
        @Option(name: "name", help: "What it is for, e.g. the system that uses it") var name: String?
        @Option(name: "days", help: "Days until it expires (1 to 366, default 90)") var days: Int?
    }

    var help: String { "Issues an API token and prints it once; only its hash is kept." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, let role = signature.role, let name = signature.name else {
            throw CommandFailure(message: "tokens create: --email, --org, --role and --name are required (--org is not needed for system-admin)")
        }
        let org = signature.org
        var token = ""
        try await context.reportingProblems("tokens create") {
            token = try await context.tokens.issue(email: email, organisation: org, role: role, name: name, days: signature.days ?? 90)
        }
        // The token alone on standard output, so scripts can capture it; it cannot be shown again.
        context.console.output(token.consoleText())
    }
}

struct RevokeTokenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The token's owner") var email: String?
        @Option(name: "name", help: "The token's name") var name: String?
    }

    var help: String { "Revokes an API token by its owner and name" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, let name = signature.name else { throw CommandFailure(message: "tokens revoke: --email and --name are required") }
        try await context.reportingProblems("tokens revoke") { try await context.tokens.revoke(email: email, name: name) }
        context.console.print("Revoked \(email.lowercased())'s token '\(name)'")
    }
}
