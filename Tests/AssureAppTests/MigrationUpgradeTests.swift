import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// A database made by the previous release, with data in it, upgrades to this one; the latest
/// batch reverts and applies again; nothing already recorded is lost. On SQLite and PostgreSQL.
final class MigrationUpgradeTests: XCTestCase {
    /// The migrations this release adds to the last one (the estate's staging, software sets and
    /// analyses published by pointer came together), by name: each module lists its own, so the
    /// newest need not be last in the whole list.
    static let latest = ["AssureApp.CreateEstateStaging", "AssureApp.KeepSoftwareInSets", "AssureApp.PublishAnalysesByPointer"]

    func testAPreviousReleasesDatabaseUpgradesAndTheLatestBatchReverts() async throws {
        try await withAssure(migrate: false) { app in
            let previous = Migrations()
            for migration in AssureMigrations.all where !Self.latest.contains(migration.name) { previous.add(migration) }
            let old = Migrator(databases: app.databases, migrations: previous, logger: app.logger, on: app.eventLoopGroup.any())
            try await old.setupIfNeeded().get()
            try await old.prepareBatch().get()
            var status = try await SchemaStatus.read(from: app.db)
            XCTAssertEqual(status.pending, Self.latest)

            // Data the previous release wrote: the demo region, its people and the demo trust's register.
            _ = try await DemoSeeder.seedRegion(on: app)
            try await seedDemoTrust(app)
            let risks = try await Risk.query(on: app.db).count()
            XCTAssertGreaterThan(risks, 0)
            let audit = try await count("audit_entries", app)

            // This release: the pending migrations run as one batch over that data.
            try await app.autoMigrate()
            status = try await SchemaStatus.read(from: app.db)
            XCTAssertTrue(status.isCurrent)
            do { let value = try await Risk.query(on: app.db).count(); XCTAssertEqual(value, risks) }
            do { let value = try await count("audit_entries", app); XCTAssertEqual(value, audit, "the audit chain is untouched") }
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "upgrade.check@kingsmere.example")
            try await app.send(.GET, "/organisations/T91/risks", as: .some(manager)) { res async throws in XCTAssertEqual(res.status, .ok) }

            // Reverting the latest batch takes back only what this release added, and it applies again.
            try await app.migrator.revertLastBatch().get()
            status = try await SchemaStatus.read(from: app.db)
            XCTAssertEqual(status.pending, Self.latest)
            do { let value = try await Risk.query(on: app.db).count(); XCTAssertEqual(value, risks) }
            try await app.autoMigrate()
            do { let value = try await SchemaStatus.read(from: app.db).isCurrent; XCTAssertTrue(value) }
            try await app.send(.GET, "/organisations/T91", as: .some(manager)) { res async throws in XCTAssertEqual(res.status, .ok) }
        }
    }

    /// Migrations are frozen once landed: the columns the snapshot migration made are the
    /// indicators of its day, which the live list can only extend.
    func testTheSnapshotMigrationKeepsTheIndicatorsOfItsDay() {
        let live = KeyIndicator.allCases.map(\.rawValue)
        XCTAssertEqual(Array(live.prefix(KPISnapshotsInColumns.indicatorsAtLanding.count)), KPISnapshotsInColumns.indicatorsAtLanding,
                       "a new indicator is added at the end, with a migration of its own that adds its column")
    }

    private func count(_ table: String, _ app: Application) async throws -> Int {
        try await app.db.sqlDatabase.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? -1
    }
}
