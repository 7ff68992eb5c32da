import Fluent
import Foundation
import SQLKit

/// Where a SQLite inventory import puts its devices batch by batch before one short transaction
/// publishes them (`InventoryImport`); their software goes straight into new software sets
/// (`SoftwareSets`), which no page reads until a published device points to one. Rows belong to
/// one import by `staging_id`; an import that fails clears its own, and `serve` clears any a
/// crashed import left behind.
enum EstateStaging {
    static let devices = "estate_staging_devices"
    /// Gone since `KeepSoftwareInSets`; named for the migrations that made and removed it.
    static let software = "estate_staging_software"

    /// Makes the staged devices the organisation's: upserted by key (keeping the id a device
    /// already has), each pointing to its new software set; one row a device, whatever its software.
    static func publish(_ staging: UUID, organisation: UUID, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO estate_devices (id, organisation_id, device_key, hostname, device_type, os_name, os_build, site, owner, criticality,
                                        clinical, last_seen, source, imported_at, software_set)
            SELECT id, \(bind: organisation), device_key, hostname, device_type, os_name, os_build, site, owner, criticality, clinical, last_seen,
                   source, imported_at, software_set
            FROM estate_staging_devices WHERE staging_id = \(bind: staging)
            ON CONFLICT (organisation_id, device_key) DO UPDATE SET hostname = excluded.hostname, device_type = excluded.device_type,
                os_name = excluded.os_name, os_build = excluded.os_build, site = excluded.site, owner = excluded.owner,
                criticality = excluded.criticality, clinical = excluded.clinical, last_seen = excluded.last_seen, source = excluded.source,
                imported_at = excluded.imported_at, software_set = excluded.software_set
            """).run()
        try await clear(staging, on: sql)
    }

    static func clear(_ staging: UUID, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM estate_staging_devices WHERE staging_id = \(bind: staging)").run()
    }

    /// At `serve`: rows older than a day belong to no running import. Their software sets are
    /// unused from then on, and go at the organisation's next import.
    static func sweep(on database: any Database, now: Date) async throws {
        let sql = try database.sqlDatabase
        let stale = try await sql.raw("SELECT DISTINCT staging_id FROM estate_staging_devices WHERE imported_at < \(bind: now.addingTimeInterval(-86_400))")
            .all().map { try $0.decode(column: "staging_id", as: UUID.self) }
        for staging in stale { try await database.writeTransaction { db in try await clear(staging, on: try db.sqlDatabase) } }
    }
}

struct CreateEstateStaging: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("estate_staging_devices")
            .field("staging_id", .uuid, .required)
            .field("id", .uuid, .required)
            .field("device_key", .string, .required)
            .field("hostname", .string, .required)
            .field("device_type", .string, .required)
            .field("os_name", .string, .required)
            .field("os_build", .string, .required)
            .field("site", .string, .required)
            .field("owner", .string, .required)
            .field("criticality", .string, .required)
            .field("clinical", .bool, .required)
            .field("last_seen", .string)
            .field("source", .string, .required)
            .field("imported_at", .datetime, .required)
            .create()
        try await database.schema("estate_staging_software")
            .field("staging_id", .uuid, .required)
            .field("device_id", .uuid, .required)
            .field("name", .string, .required)
            .field("vendor", .string, .required)
            .field("version", .string, .required)
            .field("cpe", .string)
            .field("purl", .string)
            .create()
        let sql = try database.sqlDatabase
        try await sql.raw("CREATE INDEX estate_staging_devices_by_import ON estate_staging_devices (staging_id, id)").run()
        try await sql.raw("CREATE INDEX estate_staging_devices_by_key ON estate_staging_devices (staging_id, device_key)").run()
        try await sql.raw("CREATE INDEX estate_staging_software_by_import ON estate_staging_software (staging_id, device_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("estate_staging_software").delete()
        try await database.schema("estate_staging_devices").delete()
    }
}
