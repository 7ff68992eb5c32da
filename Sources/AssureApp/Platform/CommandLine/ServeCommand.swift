import ArgumentParser
import AssureCore
import Fluent
import Foundation
import Vapor

/// `assure serve`: migrates an embedded database, seeds the demo when asked, then serves.
struct AssureServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serves Assure's pages and API (the default command).",
        discussion: "An SQLite database is brought up to date first; a PostgreSQL one must be migrated with `assure migrate` beforehand."
    )

    @CommandOptions var storage: StorageOptions

    @CommandOption(name: [.customLong("host"), .customLong("hostname"), .customShort("H")],
                   help: "The address to listen on (ASSURE_HOST; default 127.0.0.1).")
    var host: String?

    @CommandOption(name: .shortAndLong, help: "The port to listen on, 1 to 65535 (ASSURE_PORT; default 8080).")
    var port: String?

    @CommandOption(name: .customLong("public-url"), help: "The address people use, e.g. behind a TLS proxy; https turns on HSTS and secure cookies (ASSURE_PUBLIC_URL).")
    var publicURL: String?

    @CommandFlag(help: "Seed the fictional Avalon region and its accounts (this machine only; refused beside real data).")
    var demo = false

    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags["host"] = host
        flags["port"] = port
        flags["public-url"] = publicURL
        if demo { flags["demo"] = "yes" }
        return flags
    }

    func validate() throws {
        do { _ = try storage.configuration(flags) } catch { throw UsageError(error.description) }
    }

    func run() async throws {
        let configuration = try storage.configuration(flags)
        let app = try await CommandSession.application(configuration, command: ["serve"])
        do {
            try await configure(app, configuration)
            try await AssureStartup.prepareToServe(app)
            FileHandle.standardOutput.write(Data((AssureStartup.banner(app) + "\n").utf8))
            // Vapor's own serve, with the address configure set: it runs until SIGINT or SIGTERM.
            try await app.execute()
            // Stop taking requests and let those in flight finish before the database closes:
            // Vapor's shutdown closes the databases first, which would fail a request mid-way.
            await app.server.shutdown()
            let left = await app.inFlightRequests.drain(within: .seconds(10))
            if left > 0 { app.logger.warning("Stopping with \(left) request(s) still being handled after 10 seconds") }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// `assure migrate [--revert] [--yes]`: the only command whose migration log is shown.
struct AssureMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Brings the database schema up to date, or undoes the latest batch with --revert.",
        discussion: "Lists what it will do and asks first; --yes answers for a script (required when standard input is not a terminal)."
    )

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandFlag(help: "Undo the latest batch of migrations instead of applying pending ones.")
    var revert = false

    @CommandFlag(name: .shortAndLong, help: "Go ahead without asking.")
    var yes = false

    struct Summary: Encodable {
        var direction: String
        var migrations: [String]
        var done: Bool
        var schemaVersion: Int
    }

    func run() async throws {
        let output = output.output
        let (revert, yes) = (revert, yes)
        try await CommandSession.run(storage, schema: .asItIs) { app in
            app.logger.logLevel = app.assureConfiguration.logLevel
            app.fluent.migrationLogLevel = .info
            let migrator = app.migrator
            try await migrator.setupIfNeeded().get()
            let planned = try await (revert ? migrator.previewRevertLastBatch() : migrator.previewPrepareBatch()).get().map(\.0.name)
            let direction = revert ? "revert" : "prepare"
            guard !planned.isEmpty else {
                output.say(revert ? "No migrations to revert." : "The schema is up to date; no migrations to apply.")
                try output.summary(Summary(direction: direction, migrations: [], done: true, schemaVersion: try await SchemaStatus.read(from: app.db).version))
                return
            }
            output.say("\(revert ? "To revert" : "To apply") (\(planned.count)):")
            for name in planned { output.say("  \(revert ? "-" : "+") \(name)") }
            guard try yes || Self.confirm(revert ? "Revert these migrations?" : "Apply these migrations?") else {
                throw CommandFailure(message: "migrate: nothing was changed (not confirmed)")
            }
            try await (revert ? migrator.revertLastBatch() : migrator.prepareBatch()).get()
            let version = try await SchemaStatus.read(from: app.db).version
            output.say("\(revert ? "Reverted" : "Applied") \(Words.count(planned.count, "migration")); the schema is at version \(version).")
            try output.summary(Summary(direction: direction, migrations: planned, done: true, schemaVersion: version))
        }
    }

    /// Asks on the terminal; a script must say --yes.
    static func confirm(_ question: String) throws -> Bool {
        guard isatty(STDIN_FILENO) != 0 else {
            throw CommandFailure(message: "migrate: standard input is not a terminal, so Assure cannot ask; run it again with --yes")
        }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        return ["y", "yes"].contains(readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "")
    }
}
