import AssureCore
import XCTVapor
import Fluent
import SQLKit
@testable import AssureApp

/// Backup and restore always use an SQLite file, whatever database the rest of the suite uses.
final class BackupTests: XCTestCase {
    private func withFileApp(_ directory: String, _ body: (Application) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        try await configure(app, try AssureConfiguration.load(environment: [:], flags: ["data-dir": directory]))
        do { try await body(app) } catch { try? await app.asyncShutdown(); throw error }
        try await app.asyncShutdown()
    }

    func testBackupThenRestoreBringsBackTheData() async throws {
        let root = NSTemporaryDirectory() + "assure-backup-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backup = root + "/backup.sqlite"
        try await withFileApp(root + "/live") { app in
            try await app.autoMigrate()
            _ = try await DemoSeeder.seedRegion(on: app)
            let status = try await DatabaseBackup.backup(app, to: backup)
            XCTAssertEqual(status.version, AssureMigrations.all.count)
            do {
                _ = try await DatabaseBackup.backup(app, to: backup)
                XCTFail("must not overwrite an existing file")
            } catch let error as CommandFailure {
                XCTAssertTrue(error.message.contains("already exists"))
            }
            try await Organisation.query(on: app.db).filter(\.$type == "gp-practice").delete()
        }
        try await withFileApp(root + "/live") { app in
            let (_, kept) = try await DatabaseBackup.restore(app, from: backup)
            XCTAssertNotNil(kept)
        }
        try await withFileApp(root + "/live") { app in
            let count = try await organisationCount(app)
            XCTAssertEqual(count, 29)
        }
    }

    func testRestoreRefusesFilesThatAreNotAssureBackups() async throws {
        let root = NSTemporaryDirectory() + "assure-restore-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = root + "/notes.txt"
        FileManager.default.createFile(atPath: text, contents: Data("not a database".utf8))
        try await withFileApp(root + "/other") { app in
            // An SQLite database that is not Assure's.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("CREATE TABLE patients (id INTEGER)").run()
        }
        try await withFileApp(root + "/live") { app in
            try await app.autoMigrate()
            for (file, mention) in [(text, "not an SQLite database"), (root + "/other/assure.sqlite", "not an Assure one"), (root + "/missing", "cannot be read")] {
                do {
                    _ = try await DatabaseBackup.restore(app, from: file)
                    XCTFail("\(file) should be refused")
                } catch let error as CommandFailure {
                    XCTAssertTrue(error.message.contains(mention), error.message)
                }
            }
            let status = try await SchemaStatus.read(from: app.db)
            XCTAssertTrue(status.isCurrent, "the live database is untouched")
        }
    }

    func testPostgresPointsToItsOwnTools() async throws {
        let app = try await Application.make(.testing)
        try await configure(app, AssureConfiguration(database: .postgres(url: "postgres://a@127.0.0.1:1/a")))
        for action in ["backup", "restore"] {
            do {
                if action == "backup" { _ = try await DatabaseBackup.backup(app, to: "/tmp/x") } else { _ = try await DatabaseBackup.restore(app, from: "/tmp/x") }
                XCTFail(action)
            } catch let error as CommandFailure {
                XCTAssertTrue(error.message.contains(action == "backup" ? "pg_dump" : "pg_restore"), error.message)
            }
        }
        try await app.asyncShutdown()
    }
}
