import ArgumentParser
import Fluent
import Foundation
import SQLKit
import Vapor

/// `assure backup --to FILE`: a consistent copy of the embedded database while Assure runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copies the SQLite database to a file, consistently, even while Assure is serving.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(name: .customLong("to"), help: "The file to write the backup to (it must not exist).")
    var target: String

    struct Summary: Encodable { var file: String; var schemaVersion: Int }

    func run() async throws {
        let (output, target) = (output.output, target)
        try await CommandSession.run(storage, schema: .asItIs) { app in
            let status = try await DatabaseBackup.backup(app, to: target)
            output.say("Backed up the Assure database (schema version \(status.version)) to \(target)")
            try output.summary(Summary(file: target, schemaVersion: status.version))
        }
    }
}

/// `assure restore --from FILE`: replaces the embedded database with a backup, after checking it is one.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Replaces the SQLite database with a backup made by `assure backup`. Stop Assure first.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(name: .customLong("from"), help: "The backup file to restore.")
    var source: String

    struct Summary: Encodable { var file: String; var restoredTo: String; var schemaVersion: Int; var replacedDatabaseKeptAt: String?; var pendingMigrations: Int }

    func run() async throws {
        let (output, source) = (output.output, source)
        try await CommandSession.run(storage, schema: .asItIs) { app in
            let (status, kept) = try await DatabaseBackup.restore(app, from: source)
            if let kept { output.say("The database it replaces is kept at \(kept)") }
            let live = app.assureConfiguration.dataDirectory + "/" + AssureConfiguration.sqliteFileName
            output.say("Restored \(source) (schema version \(status.version)) to \(live)")
            if !status.pending.isEmpty {
                output.say("It will be brought up to date (\(status.pending.count) migration(s)) when Assure next starts.")
            }
            try output.summary(Summary(file: source, restoredTo: live, schemaVersion: status.version, replacedDatabaseKeptAt: kept,
                                       pendingMigrations: status.pending.count))
        }
    }
}

/// Online backup and checked restore of the embedded SQLite database.
enum DatabaseBackup {
    /// Writes a consistent copy with `VACUUM INTO`, which does not stop writers.
    static func backup(_ app: Application, to target: String) async throws -> SchemaStatus {
        guard case .sqliteFile = app.assureConfiguration.database else {
            throw CommandFailure(message: "backup: Assure is using PostgreSQL (DATABASE_URL). Back it up with PostgreSQL's own tools, for example: pg_dump --format=custom --file=assure.dump \"$DATABASE_URL\"")
        }
        guard !FileManager.default.fileExists(atPath: target) else {
            throw CommandFailure(message: "backup: \(target) already exists; choose a new file name")
        }
        let status = try await SchemaStatus.read(from: app.db)
        guard status.version > 0 else { throw CommandFailure(message: "backup: the database is empty (no migrations applied); nothing to back up") }
        let sql = try app.db.sqlDatabase
        do {
            try await sql.raw("VACUUM INTO \(bind: target)").run()
        } catch {
            throw CommandFailure(message: "backup: could not write \(target): \(String(describing: error).prefix(200))")
        }
        return status
    }

    /// Checks the file, then swaps it in; the replaced database is kept beside it. Returns where.
    static func restore(_ app: Application, from source: String) async throws -> (SchemaStatus, kept: String?) {
        guard case .sqliteFile(let live) = app.assureConfiguration.database else {
            throw CommandFailure(message: "restore: Assure is using PostgreSQL (DATABASE_URL). Restore it with PostgreSQL's own tools, for example: pg_restore --clean --dbname=\"$DATABASE_URL\" assure.dump")
        }
        let status = try await check(source, on: app)
        let manager = FileManager.default
        let staging = live + ".restoring"
        try? manager.removeItem(atPath: staging)
        try manager.copyItem(atPath: source, toPath: staging)
        var kept: String?
        if manager.fileExists(atPath: live) {
            let keptPath = live + ".before-restore-" + String(Int(app.clock.now().timeIntervalSince1970))
            try manager.moveItem(atPath: live, toPath: keptPath)
            kept = keptPath
        }
        for suffix in ["-wal", "-shm"] { try? manager.removeItem(atPath: live + suffix) }
        try manager.moveItem(atPath: staging, toPath: live)
        return (status, kept)
    }

    /// Checks a file is an Assure SQLite database of a schema version this build knows.
    static func check(_ path: String, on app: Application) async throws -> SchemaStatus {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure(message: "restore: \(path) cannot be read") }
        let header = try handle.read(upToCount: 16) ?? Data()
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else {
            throw CommandFailure(message: "restore: \(path) is not an SQLite database, so not an Assure backup; nothing was changed")
        }
        let id = DatabaseID(string: "restore-check")
        app.databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 1), as: id, isDefault: false)
        guard let database = app.databases.database(id, logger: app.logger, on: app.eventLoopGroup.any()) else {
            throw CommandFailure(message: "restore: could not open \(path)")
        }
        let status: SchemaStatus
        do {
            status = try await SchemaStatus.read(from: database)
        } catch {
            throw CommandFailure(message: "restore: \(path) could not be read as a database: \(error); nothing was changed")
        }
        guard status.version > 0, status.applied.contains(AssureMigrations.names[0]) else {
            throw CommandFailure(message: "restore: \(path) is an SQLite database but not an Assure one (it has no Assure schema); nothing was changed")
        }
        guard status.unknown.isEmpty else {
            throw CommandFailure(message: "restore: \(path) comes from a newer Assure (unknown migrations: \(status.unknown.joined(separator: ", "))); nothing was changed")
        }
        return status
    }
}
