import ArgumentParser
import AssureCore
import Foundation
import Vapor

/// `assure`: the server and every administration command, parsed by swift-argument-parser.
/// Parsing (and `--help`, `--version`) happens before anything is opened, so asking for help
/// touches no data directory and no database.
public struct AssureCommandLine: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "assure",
        abstract: "IT governance, risk and assurance for NHS organisations.",
        discussion: """
            Settings come from the flags or the environment (ASSURE_DATA_DIR, DATABASE_URL, ASSURE_LOG_LEVEL, \
            ASSURE_LOG_FORMAT; for serve also ASSURE_HOST, ASSURE_PORT, ASSURE_PUBLIC_URL); a flag wins. \
            With no command, assure serves.
            """,
        version: AssureRelease.version,
        // Each domain brings its own commands (its module lists them).
        subcommands: AssureModules.all.flatMap(\.commands),
        defaultSubcommand: AssureServeCommand.self
    )

    public init() {}

    /// Parses the process's arguments, runs the command and exits: 0 on success, 1 when the
    /// command failed (its message on standard error), 64 for a usage mistake.
    public static func start(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("Error: \(failure.message)\n".utf8))
            Foundation.exit(1)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            Self.exit(withError: error)
        }
    }
}

/// Where Assure keeps its data and how it logs: shared by every command.
struct StorageOptions: ParsableArguments {
    @CommandOption(name: .customLong("data-dir"), help: "Where the SQLite database and evidence files live (ASSURE_DATA_DIR; default ./data).")
    var dataDirectory: String?

    @CommandOption(name: .customLong("database-url"), help: "A postgres:// URL, to use PostgreSQL instead of SQLite (DATABASE_URL).")
    var databaseURL: String?

    @CommandOption(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (ASSURE_LOG_LEVEL; default info).")
    var logLevel: String?

    @CommandOption(name: .customLong("log-format"), help: "text or json (ASSURE_LOG_FORMAT; default text).")
    var logFormat: String?

    /// The flags given, by their long names, for `AssureConfiguration.load`.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags["data-dir"] = dataDirectory
        flags["database-url"] = databaseURL
        flags["log-level"] = logLevel
        flags["log-format"] = logFormat
        return flags
    }

    /// The whole configuration from these flags, the extra ones given and the environment.
    func configuration(_ extra: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> AssureConfiguration {
        try AssureConfiguration.load(environment: environment, flags: flags.merging(extra) { _, new in new })
    }

    func validate() throws {
        do { _ = try configuration() } catch { throw UsageError(error.description) }
    }
}

/// `--quiet` and `--json`, on every command that does work.
struct OutputOptions: ParsableArguments {
    @CommandFlag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @CommandFlag(help: "Print a machine-readable summary (JSON) on standard output instead of sentences.")
    var json = false

    var output: CommandOutput { CommandOutput(quiet: quiet, json: json) }
}

/// What a command says: sentences for people, or one JSON summary for machines. Progress and
/// problems go to standard error, so standard output stays clean for a script to read.
struct CommandOutput: Sendable {
    var quiet = false
    var json = false
    /// Where lines go; tests collect them.
    var standardOutput: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
    /// Exactly the text given, so a progress bar can redraw its line.
    var standardError: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    /// A sentence for a person (not with --quiet or --json).
    func say(_ line: String) {
        if !quiet && !json { standardOutput(line) }
    }

    /// A line a person must see even with --json (a problem the command reports and goes on from).
    func warn(_ line: String) {
        if !quiet { standardError(line + "\n") }
    }

    /// The machine-readable summary, with --json.
    func summary(_ value: some Encodable) throws {
        guard json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        standardOutput(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    func progress(_ label: String, unit: String, total: Int? = nil) -> CommandProgress {
        CommandProgress(label: label, unit: unit, total: total, enabled: !quiet, write: standardError)
    }
}

/// Boots Assure for one command and shuts it down afterwards, whether the command worked or not.
enum CommandSession {
    enum Schema { case mustBeCurrent, asItIs }

    static func run<T: Sendable>(_ storage: StorageOptions, extra flags: [String: String] = [:], schema: Schema = .mustBeCurrent,
                                 _ body: (Application) async throws -> T) async throws -> T {
        let configuration = try storage.configuration(flags)
        let app = try await application(configuration)
        do {
            try await configure(app, configuration)
            // Commands print their own results and errors; below debug, the log would say each twice.
            if configuration.logLevel > .debug { app.logger.logLevel = .error }
            if schema == .mustBeCurrent { try await AssureStartup.requireCurrentSchema(app) }
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}

extension CommandSession {
    /// Logging set up once for the process, and the application for one command (`serve` runs
    /// Vapor's own serve inside it, so it passes that as the command).
    static func application(_ configuration: AssureConfiguration, command: [String] = []) async throws -> Application {
        AssureLogging.bootstrap(configuration)
        let name = ProcessInfo.processInfo.environment["ASSURE_ENV"] ?? "production"
        return try await Application.make(Environment(name: name, arguments: ["assure"] + command))
    }
}

/// A command failure the user can act on: printed as it is, with a non-zero exit.
public struct CommandFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension AssureError {
    /// One message for a command: what it was doing, then each problem with its line and field.
    func commandFailure(_ what: String, limit: Int = 50) -> CommandFailure {
        guard !problems.isEmpty else { return CommandFailure(message: "\(what): \(detail)") }
        let lines = problems.prefix(limit).map { "  " + ($0.line.map { "line \($0), " } ?? "") + "\($0.field): \($0.message)" }
        return CommandFailure(message: (["\(what): \(detail)"] + lines).joined(separator: "\n"))
    }
}
