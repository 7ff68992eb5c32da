import Fluent
import Foundation
import SQLKit

/// Where a SQLite inventory import puts its rows batch by batch before one short transaction
/// publishes them (`InventoryImport`). Rows belong to one import by `staging_id`; an import that
/// fails clears its own, and `serve` clears any a crashed import left behind.
enum EstateStaging {
    static let devices = "estate_staging_devices"
    static let software = "estate_staging_software"

    /// Makes the staged import the organisation's estate: devices upserted by key (keeping the id
    /// a device already has), their software replaced, the staging rows cleared.
    static func publish(_ staging: UUID, organisation: UUID, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO estate_devices (id, organisation_id, device_key, hostname, device_type, os_name, os_build, site, owner, criticality,
                                        clinical, last_seen, source, imported_at)
            SELECT id, \(bind: organisation), device_key, hostname, device_type, os_name, os_build, site, owner, criticality, clinical, last_seen,
                   source, imported_at
            FROM estate_staging_devices WHERE staging_id = \(bind: staging)
            ON CONFLICT (organisation_id, device_key) DO UPDATE SET hostname = excluded.hostname, device_type = excluded.device_type,
                os_name = excluded.os_name, os_build = excluded.os_build, site = excluded.site, owner = excluded.owner,
                criticality = excluded.criticality, clinical = excluded.clinical, last_seen = excluded.last_seen, source = excluded.source,
                imported_at = excluded.imported_at
            """).run()
        // The staged id is the device's own unless another import added the same device meanwhile,
        // so software is matched to the published device by key.
        try await sql.raw("""
            DELETE FROM estate_software WHERE device_id IN (
                SELECT d.id FROM estate_devices d JOIN estate_staging_devices s ON s.device_key = d.device_key
                WHERE d.organisation_id = \(bind: organisation) AND s.staging_id = \(bind: staging))
            """).run()
        try await sql.raw("""
            INSERT INTO estate_software (device_id, organisation_id, name, vendor, version, cpe, purl)
            SELECT d.id, d.organisation_id, w.name, w.vendor, w.version, w.cpe, w.purl
            FROM estate_staging_software w
            JOIN estate_staging_devices s ON s.staging_id = w.staging_id AND s.id = w.device_id
            JOIN estate_devices d ON d.organisation_id = \(bind: organisation) AND d.device_key = s.device_key
            WHERE w.staging_id = \(bind: staging)
            """).run()
        try await clear(staging, on: sql)
    }

    static func clear(_ staging: UUID, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM estate_staging_software WHERE staging_id = \(bind: staging)").run()
        try await sql.raw("DELETE FROM estate_staging_devices WHERE staging_id = \(bind: staging)").run()
    }

    /// At `serve`: rows older than a day belong to no running import.
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
