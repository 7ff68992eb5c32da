import Vapor

/// Assure's own commands beside Vapor's `serve` and Fluent's `migrate`.
enum AssureCommands {
    static func register(on app: Application) {
        app.asyncCommands.use(BackupCommand(), as: "backup")
        app.asyncCommands.use(RestoreCommand(), as: "restore")
        app.asyncCommands.use(OrganisationsCommand(), as: "organisations")
        app.asyncCommands.use(DemoCommand(), as: "demo")
        app.asyncCommands.use(AuditCommand(), as: "audit")
        app.asyncCommands.use(UsersCommand(), as: "users")
        app.asyncCommands.use(TokensCommand(), as: "tokens")
        app.asyncCommands.use(FrameworksCommand(), as: "frameworks")
        app.asyncCommands.use(KnowledgeBaseCommand(), as: "kb")
        app.asyncCommands.use(EstateCommand(), as: "estate")
        app.asyncCommands.use(SnapshotCommand(), as: "snapshot")
        app.asyncCommands.use(ReportCommand(), as: "report")
    }
}

/// A command failure the user can act on: printed as it is, with a non-zero exit.
public struct CommandFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
