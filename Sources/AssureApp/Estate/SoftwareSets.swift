import AssureCore
import Fluent
import Foundation
import SQLKit

/// A device's installed software is one set: `estate_software` rows share a `software_set` id and
/// the device points to its set (`estate_devices.software_set`). An import writes each device's
/// new set beside the old one, where nothing reads it, and makes it the device's by changing one
/// column; the sets no device points to any more are removed afterwards, a few hundred at a time.
/// So publishing an import of a million software rows changes one row a device, not a million.
///
/// Every read of software goes through a device's `software_set`, so a set waiting to be removed
/// (or left by an import that crashed, removed at the organisation's next import) is never seen.
enum SoftwareSets {
    /// The organisation's sets that no device, published or staged by an import under way, points to.
    static func unused(of organisation: UUID, on sql: any SQLDatabase) async throws -> [UUID] {
        try await sql.raw("""
            SELECT DISTINCT software_set FROM estate_software WHERE organisation_id = \(bind: organisation)
              AND software_set NOT IN (SELECT software_set FROM estate_devices WHERE organisation_id = \(bind: organisation) AND software_set IS NOT NULL)
              AND software_set NOT IN (SELECT software_set FROM \(ident: EstateStaging.devices) WHERE organisation_id = \(bind: organisation))
            """).all().map { try $0.decode(column: "software_set", as: UUID.self) }
    }

    static func remove(_ sets: [UUID], of organisation: UUID, on sql: any SQLDatabase) async throws {
        guard !sets.isEmpty else { return }
        try await sql.raw("DELETE FROM estate_software WHERE organisation_id = \(bind: organisation) AND software_set IN (\(binds: sets))").run()
    }

    /// Sets removed per statement: about 10,000 rows, a short write.
    static let removalChunk = 500

    /// Removes every unused set of the organisation, each chunk in a transaction of its own, so
    /// that on SQLite other writers wait for a chunk at most.
    static func removeUnused(of organisation: UUID, on database: any Database) async throws {
        for chunk in try await unused(of: organisation, on: try database.sqlDatabase).chunks(of: removalChunk) {
            try await database.writeTransaction { db in try await remove(chunk, of: organisation, on: try db.sqlDatabase) }
        }
    }

    /// The same inside the caller's transaction (PostgreSQL's import, which locks rows, not the database).
    static func removeUnused(of organisation: UUID, within sql: any SQLDatabase) async throws {
        for chunk in try await unused(of: organisation, on: sql).chunks(of: removalChunk) { try await remove(chunk, of: organisation, on: sql) }
    }
}

/// Moves installed software from rows per device to sets a device points to (`SoftwareSets`).
/// Each device's existing software becomes a set whose id is the device's own; staged software
/// goes straight into the sets, so its staging table goes.
struct KeepSoftwareInSets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        try await database.schema("estate_devices").field("software_set", .uuid).update()
        try await sql.raw("UPDATE estate_devices SET software_set = id").run()
        try await sql.raw("ALTER TABLE estate_software RENAME TO estate_software_per_device").run()
        try await database.schema("estate_software")
            .field("software_set", .uuid, .required)
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("vendor", .string, .required)
            .field("version", .string, .required)
            .field("cpe", .string)
            .field("purl", .string)
            .create()
        try await sql.raw("""
            INSERT INTO estate_software (software_set, organisation_id, name, vendor, version, cpe, purl)
            SELECT device_id, organisation_id, name, vendor, version, cpe, purl FROM estate_software_per_device
            """).run()
        try await database.schema("estate_software_per_device").delete()
        try await sql.raw("CREATE INDEX estate_software_by_set ON estate_software (organisation_id, software_set)").run()
        try await sql.raw("CREATE INDEX estate_software_by_title ON estate_software (organisation_id, name, vendor, version)").run()
        try await database.schema(EstateStaging.software).delete()
        // One column a statement: SQLite adds no more.
        try await database.schema(EstateStaging.devices).field("organisation_id", .uuid).update()
        try await database.schema(EstateStaging.devices).field("software_set", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        try await database.schema(EstateStaging.devices).deleteField("software_set").update()
        try await database.schema(EstateStaging.devices).deleteField("organisation_id").update()
        try await database.schema(EstateStaging.software)
            .field("staging_id", .uuid, .required).field("device_id", .uuid, .required).field("name", .string, .required)
            .field("vendor", .string, .required).field("version", .string, .required).field("cpe", .string).field("purl", .string)
            .create()
        try await sql.raw("CREATE INDEX estate_staging_software_by_import ON estate_staging_software (staging_id, device_id)").run()
        try await sql.raw("ALTER TABLE estate_software RENAME TO estate_software_sets").run()
        try await database.schema("estate_software")
            .field("device_id", .uuid, .required, .references("estate_devices", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("name", .string, .required)
            .field("vendor", .string, .required)
            .field("version", .string, .required)
            .field("cpe", .string)
            .field("purl", .string)
            .create()
        try await sql.raw("""
            INSERT INTO estate_software (device_id, organisation_id, name, vendor, version, cpe, purl)
            SELECT d.id, s.organisation_id, s.name, s.vendor, s.version, s.cpe, s.purl
            FROM estate_software_sets s JOIN estate_devices d ON d.organisation_id = s.organisation_id AND d.software_set = s.software_set
            """).run()
        try await database.schema("estate_software_sets").delete()
        try await sql.raw("CREATE INDEX estate_software_by_device ON estate_software (device_id)").run()
        try await sql.raw("CREATE INDEX estate_software_by_title ON estate_software (organisation_id, name, vendor, version)").run()
        try await database.schema("estate_devices").deleteField("software_set").update()
    }
}
