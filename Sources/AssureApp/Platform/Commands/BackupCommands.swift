import Fluent
import Foundation
import SQLKit
import Vapor

/// `assure backup --to FILE`: a consistent copy of the embedded database while Assure runs.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "to", help: "The file to write the backup to (must not exist)")
        var to: String?
    }

    var help: String { "Copies the SQLite database to a file, consistently, even while Assure is serving." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let target = signature.to, !target.isEmpty else { throw CommandFailure(message: "backup: --to FILE is required") }
        guard case .sqliteFile = app.assureConfiguration.database else {
            throw CommandFailure(message: "backup: Assure is using PostgreSQL (DATABASE_URL). Back it up with PostgreSQL's own tools, for example: pg_dump --format=custom --file=assure.dump \"$DATABASE_URL\"")
        }
        guard !FileManager.default.fileExists(atPath: target) else {
            throw CommandFailure(message: "backup: \(target) already exists; choose a new file name")
        }
        let status = try await SchemaStatus.read(from: app.db)
        guard status.version > 0 else { throw CommandFailure(message: "backup: the database is empty (no migrations applied); nothing to back up") }
        let sql = app.db as! any SQLDatabase
        do {
            // VACUUM INTO writes a transactionally consistent copy without stopping writers.
            try await sql.raw("VACUUM INTO \(bind: target)").run()
        } catch {
            throw CommandFailure(message: "backup: could not write \(target): \(error)")
        }
        context.console.print("Backed up the Assure database (schema version \(status.version)) to \(target)")
    }
}

/// `assure restore --from FILE`: replaces the embedded database with a backup, after checking it is one.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "The backup file to restore")
        var from: String?
    }

    var help: String { "Replaces the SQLite database with a backup made by `assure backup`. Stop Assure first." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let source = signature.from, !source.isEmpty else { throw CommandFailure(message: "restore: --from FILE is required") }
        guard case .sqliteFile(let live) = app.assureConfiguration.database else {
            throw CommandFailure(message: "restore: Assure is using PostgreSQL (DATABASE_URL). Restore it with PostgreSQL's own tools, for example: pg_restore --clean --dbname=\"$DATABASE_URL\" assure.dump")
        }
        let status = try await BackupFile.check(source, on: app)
        let manager = FileManager.default
        let staging = live + ".restoring"
        try? manager.removeItem(atPath: staging)
        try manager.copyItem(atPath: source, toPath: staging)
        if manager.fileExists(atPath: live) {
            let kept = live + ".before-restore-" + String(Int(Date().timeIntervalSince1970))
            try manager.moveItem(atPath: live, toPath: kept)
            context.console.print("The database it replaces is kept at \(kept)")
        }
        for suffix in ["-wal", "-shm"] { try? manager.removeItem(atPath: live + suffix) }
        try manager.moveItem(atPath: staging, toPath: live)
        context.console.print("Restored \(source) (schema version \(status.version)) to \(live)")
        if !status.pending.isEmpty {
            context.console.print("It will be brought up to date (\(status.pending.count) migration(s)) when Assure next starts.")
        }
    }
}

/// Checks a file is an Assure SQLite database of a schema version this build knows.
enum BackupFile {
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
