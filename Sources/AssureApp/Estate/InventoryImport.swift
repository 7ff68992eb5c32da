import AssureCore
import CSV
import Fluent
import Foundation
import PostgresNIO
import SQLKit
import Vapor

/// Loads an inventory export into one organisation's estate: read as a stream (a few thousand
/// rows in memory whatever the file's size), upserted by device id, visible all at once or not at
/// all. Each device the file names gets a new software set with the software the file lists for
/// it (`SoftwareSets`); devices this format brought before that the file no longer lists are
/// removed. Rows with problems are skipped and reported by line and field; a file that cannot be
/// read at all changes nothing.
struct InventoryImport {
    let context: OrganisationContext
    var database: any Database { context.database }
    var organisation: OrganisationRecord { context.organisation }
    var audit: AuditContext { context.audit }
    /// A file that would remove more than this share of the devices its format brought (an export
    /// that is only a header, or cut short at a line end) is refused unless the person says so.
    var largestRemovalShare = 0.2
    var allowLargeRemoval = false

    struct Summary: Content {
        var format: String
        var rows: Int
        var inserted: Int
        var updated: Int
        var removed: Int
        var software: Int
        var rejected: Int
        /// The first 200 problems, by line and field.
        var problems: [AssureError.FieldProblem]
    }

    static let batchSize = 1000

    /// A CSV export in one of the formats, with optional `field=column` mapping.
    func importCSV(at path: String, format: InventoryFormat, mapping: [String: String] = [:], progress: (any JobProgress)? = nil) async throws -> Summary {
        try Self.requireUTF8(at: path)
        guard let stream = InputStream(fileAtPath: path) else { throw AssureError.invalid([RuleError(field: "file", message: "\(path) cannot be read")]) }
        let reader: CSVReader
        do { reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: false) } catch {
            throw AssureError.invalid([RuleError(field: "file", message: "The file has no header line")])
        }
        let columns: InventoryColumns
        switch InventoryColumns.read(header: reader.headerRow ?? [], format: format, mapping: mapping) {
        case .failure(let violations): throw AssureError.invalid(violations.problems)
        case .success(let read): columns = read
        }
        nonisolated(unsafe) let rows = reader
        let width = reader.headerRow?.count ?? 0
        return try await write(format: format.id) { emit in
            var line = 1, next = 2
            var rowReader = InventoryRowReader(columns: columns)
            var last: (line: Int, fields: Int)?
            while let values = rows.next() {
                // Lines as an editor numbers them: a quoted field may hold line breaks.
                line = next
                next = line + 1 + values.reduce(0) { count, value in value.utf8.reduce(count) { $1 == 0x0A ? $0 + 1 : $0 } }
                if values.count == 1, values[0].isEmpty { continue }
                last = (line, values.count)
                try await emit(line, rowReader.read(values, line: line))
                if line % 1_000 == 0 { progress?.update(line - 1) }
            }
            // CSV.swift reports the end of the stream as cannotReadFile; only a stream error is a failure.
            if let error = rows.error, case CSVError.streamErrorHasOccurred = error { throw AssureError.invalid([RuleError(field: "file", message: "The file could not be read after line \(line): \(error)")]) }
            // A quote that is never closed swallows the rest of the file into one short record, and
            // an export cut mid-record ends short too: either way the file is broken, not a row.
            if let last, last.fields < width {
                throw AssureError.invalid([ImportProblem(line: last.line, field: "file", message: "The record starting here has \(last.fields) of \(width) fields: the file is cut short or a quote is not closed. Nothing was imported")])
            }
            progress?.update(line - 1)
        }
    }

    /// The whole file must be UTF-8, checked a megabyte at a time before anything is read as rows.
    static func requireUTF8(at path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AssureError.invalid([RuleError(field: "file", message: "\(path) cannot be read")]) }
        defer { try? handle.close() }
        let invalid = try UTF8Text.firstInvalid { () throws -> [UInt8]? in
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            return chunk.isEmpty ? nil : [UInt8](chunk)
        }
        if let invalid { throw AssureError.invalid([ImportProblem(line: invalid.line, field: "file", message: invalid.description + ". Nothing was imported")]) }
    }

    /// One device's CycloneDX SBOM: the device and its software replace what was there.
    func importCycloneDX(_ data: Data) async throws -> Summary {
        let bom: CycloneDXBOM
        do { bom = try JSONDecoder().decode(CycloneDXBOM.self, from: data) } catch {
            throw AssureError.invalid([RuleError(field: "file", message: "This is not a CycloneDX JSON SBOM: \(KnowledgeBaseImport.describe(error))")])
        }
        switch bom.inventory() {
        case .failure(let violations): throw AssureError.invalid(violations.problems)
        case .success(let (device, software)):
            return try await write(format: "cyclonedx", removeMissing: false) { emit in
                if software.isEmpty { try await emit(1, .success(InventoryRow(device: device, software: nil))) }
                for item in software { try await emit(1, .success(InventoryRow(device: device, software: item))) }
            }
        }
    }

    typealias Emit = (Int, Result<InventoryRow, RuleViolations<ImportProblem>>) async throws -> Void

    /// Where the import starts from: the organisation's devices by key, and how many this format brought.
    struct Before: Sendable {
        var existing: [String: UUID] = [:]
        var brought = 0
    }

    /// Writes the rows from `produce`. PostgreSQL locks rows, not the database, so there one
    /// transaction keeps the import whole without holding up anyone else. SQLite has one writer
    /// for the whole file (and `assure estate import` is another process), so there each batch
    /// is committed on its own (devices into staging, software into new sets no device points to
    /// yet), and one final transaction publishes the devices: other writes wait for a batch or the
    /// publish, never the whole import, and nothing partial is visible. The sets devices no longer
    /// point to go afterwards, a chunk at a time.
    private func write(format: String, removeMissing: Bool = true, produce: @escaping @Sendable (Emit) async throws -> Void) async throws -> Summary {
        guard try database.sqlDatabase.dialect.name == "sqlite" else {
            return try await database.writeTransaction { db in
                let sql = try db.sqlDatabase
                let before = try await readBefore(format: format, on: sql)
                let (summary, seen) = try await readBatches(format: format, before: before, produce: produce) { batch in try await batch.write(on: sql) }
                let finished = try await finish(summary, seen: seen, before: before, removeMissing: removeMissing, on: db)
                try await SoftwareSets.removeUnused(of: organisation.id, within: sql)
                return finished
            }
        }
        let staging = UUID()
        let database = self.database
        do {
            let before = try await readBefore(format: format, on: try database.sqlDatabase)
            let (summary, seen) = try await readBatches(format: format, before: before, produce: produce) { batch in
                try await database.writeTransaction { db in try await batch.stage(staging, on: try db.sqlDatabase) }
            }
            let published = try await database.writeTransaction { db in
                let sql = try db.sqlDatabase
                try await EstateStaging.publish(staging, organisation: organisation.id, on: sql)
                return try await finish(summary, seen: seen, before: before, removeMissing: removeMissing, on: db)
            }
            try await SoftwareSets.removeUnused(of: organisation.id, on: database)
            return published
        } catch {
            try? await database.writeTransaction { db in try await EstateStaging.clear(staging, on: try db.sqlDatabase) }
            try? await SoftwareSets.removeUnused(of: organisation.id, on: database)
            throw error
        }
    }

    private func readBefore(format: String, on sql: any SQLDatabase) async throws -> Before {
        var before = Before()
        for row in try await sql.raw("SELECT id, device_key FROM estate_devices WHERE organisation_id = \(bind: organisation.id)").all() {
            before.existing[try row.decode(column: "device_key", as: String.self)] = try row.decode(column: "id", as: UUID.self)
        }
        before.brought = try await sql.raw("SELECT COUNT(*) AS n FROM estate_devices WHERE organisation_id = \(bind: organisation.id) AND source = \(bind: format)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
        return before
    }

    /// Rows come from `produce`, full batches go to `store`: one batch is stored while the next is
    /// read (the two cores share the work), so at most two are in memory.
    private func readBatches(format: String, before: Before, produce: @escaping @Sendable (Emit) async throws -> Void,
                             store: @escaping @Sendable (Batch) async throws -> Void) async throws -> (Summary, [String: Batch.Placed]) {
        let existing = before.existing
        var seen: [String: Batch.Placed] = [:]
        var summary = Summary(format: format, rows: 0, inserted: 0, updated: 0, removed: 0, software: 0, rejected: 0, problems: [])
        var batch = Batch(organisation: organisation.id, format: format, importedAt: context.clock.now())
        var writing: Task<Void, any Error>?
        func flush() async throws {
            try await writing?.value
            let full = batch
            batch.clear()
            writing = Task { try await store(full) }
        }
        do {
            try await produce { line, result in
                summary.rows += 1
                switch result {
                case .failure(let violations):
                    summary.rejected += 1
                    for problem in violations.problems where summary.problems.count < 200 {
                        summary.problems.append(.init(field: problem.field, message: problem.message, line: problem.line))
                    }
                case .success(let row):
                    let placed: Batch.Placed
                    if let known = seen[row.device.deviceID] {
                        placed = known
                        // Windows listed as software on a later row of the device (Defender) is its OS.
                        if row.setsOperatingSystem { batch.setOperatingSystem(of: placed.id, to: row.device) }
                    } else {
                        placed = Batch.Placed(id: existing[row.device.deviceID] ?? UUID(), softwareSet: UUID())
                        seen[row.device.deviceID] = placed
                        if existing[row.device.deviceID] == nil { summary.inserted += 1 } else { summary.updated += 1 }
                        batch.add(placed, row.device)
                    }
                    if let item = row.software { batch.software.append((placed.softwareSet, item)); summary.software += 1 }
                    if batch.isFull { try await flush() }
                }
            }
            try await flush()
            try await writing?.value
        } catch {
            // Let the batch being stored finish before the caller rolls back or clears it.
            _ = try? await writing?.value
            throw error
        }
        return (summary, seen)
    }

    /// Removes the devices this format brought and the file no longer lists (unless that is too
    /// many), and audits the import. Runs in the transaction that makes the import visible.
    private func finish(_ result: Summary, seen: [String: Batch.Placed], before: Before, removeMissing: Bool, on db: any Database) async throws -> Summary {
        let sql = try db.sqlDatabase
        var summary = result
        if removeMissing {
            let gone = before.existing.filter { seen[$0.key] == nil }.map(\.value)
            let chunks = gone.chunks(of: 500)
            // Only devices this format brought: another tool's devices stay.
            for chunk in chunks {
                summary.removed += try await sql.raw("SELECT COUNT(*) AS n FROM estate_devices WHERE id IN (\(binds: chunk)) AND source = \(bind: summary.format)").first()?
                    .decode(column: "n", as: Int.self) ?? 0
            }
            try requireRemovalAllowed(summary.removed, of: before.brought)
            for chunk in chunks {
                try await sql.raw("DELETE FROM estate_devices WHERE id IN (\(binds: chunk)) AND source = \(bind: summary.format)").run()
            }
        }
        try await AuditTrail.append([audit.event("import", "estate", summary.format, organisation: organisation.odsCode, changes: [
                                                    "devices added": .init(before: nil, after: String(summary.inserted)),
                                                    "devices updated": .init(before: nil, after: String(summary.updated)),
                                                    "devices removed": .init(before: nil, after: String(summary.removed)),
                                                    "rows rejected": .init(before: nil, after: String(summary.rejected)),
                                                ])], on: db)
        return summary
    }

    /// Refuses (rolling everything back) a file that would remove more than the allowed share.
    private func requireRemovalAllowed(_ removed: Int, of brought: Int) throws {
        guard !allowLargeRemoval, removed > 0, Double(removed) > largestRemovalShare * Double(brought) else { return }
        throw AssureError.invalid([RuleError(field: "allow_large_removal", message: """
            This file would remove \(removed) of the \(brought) devices it last listed (more than \(Int(largestRemovalShare * 100))%). \
            An export that is empty or cut short looks like this, so nothing was imported. If the devices really are gone, \
            import again allowing a large removal (--allow-large-removal, or the form's confirmation).
            """)])
    }

    /// Devices (each the first time the file names it) and software rows waiting to be written.
    struct Batch: Sendable {
        let organisation: UUID
        let format: String
        let importedAt: Date
        /// A device's id and the new software set this import gives it.
        struct Placed: Sendable {
            var id: UUID
            var softwareSet: UUID
        }

        var devices: [(Placed, InventoryDevice)] = []
        /// Software rows by the set they belong to.
        var software: [(UUID, InventorySoftware)] = []
        /// Devices already written whose OS a later row gave.
        var operatingSystems: [(UUID, InventoryDevice)] = []
        private var position: [UUID: Int] = [:]

        init(organisation: UUID, format: String, importedAt: Date) {
            self.organisation = organisation
            self.format = format
            self.importedAt = importedAt
        }

        var isFull: Bool { devices.count >= InventoryImport.batchSize || software.count >= InventoryImport.batchSize * 4 }

        mutating func add(_ placed: Placed, _ device: InventoryDevice) {
            position[placed.id] = devices.count
            devices.append((placed, device))
        }

        mutating func setOperatingSystem(of id: UUID, to device: InventoryDevice) {
            if let at = position[id] {
                devices[at].1.osName = device.osName
                devices[at].1.osBuild = device.osBuild
            } else {
                operatingSystems.append((id, device))
            }
        }

        mutating func clear() {
            devices.removeAll(keepingCapacity: true)
            software.removeAll(keepingCapacity: true)
            operatingSystems.removeAll(keepingCapacity: true)
            position.removeAll(keepingCapacity: true)
        }

        /// A device's columns and values, the same in the live and the staging table.
        static let deviceColumns = ["id", "software_set", "device_key", "hostname", "device_type", "os_name", "os_build", "site", "owner", "criticality",
                                    "clinical", "last_seen", "source", "imported_at"]
        func deviceValues(_ placed: Placed, _ device: InventoryDevice) -> [any SQLExpression] {
            [SQLBind(placed.id), SQLBind(placed.softwareSet), SQLBind(device.deviceID), SQLBind(device.hostname), SQLBind(device.type.rawValue), SQLBind(device.osName), SQLBind(device.osBuild),
             SQLBind(device.site), SQLBind(device.owner), SQLBind(device.criticality.rawValue), SQLBind(device.supportsClinicalSystem),
             SQLBind(device.lastSeen?.description), SQLBind(format), SQLBind(importedAt)]
        }

        /// A software row's columns and values (long texts cut to the column's size).
        static let softwareColumns = ["name", "vendor", "version", "cpe", "purl"]
        static func softwareValues(_ item: InventorySoftware) -> [any SQLExpression] {
            [SQLBind(String(item.name.prefix(300))), SQLBind(String(item.vendor.prefix(300))), SQLBind(String(item.version.prefix(100))),
             SQLBind(item.cpe), SQLBind(item.purl)]
        }

        /// Upserts the devices, each pointing to its new software set, and adds the sets' rows.
        func write(on sql: any SQLDatabase) async throws {
            if !devices.isEmpty {
                let insert = sql.insert(into: "estate_devices").columns(["organisation_id"] + Self.deviceColumns)
                for (placed, device) in devices { insert.values([SQLBind(organisation)] + deviceValues(placed, device)) }
                try await insert.onConflict(with: ["organisation_id", "device_key"]) { conflict in
                    conflict.set(excludedValueOf: "software_set").set(excludedValueOf: "hostname").set(excludedValueOf: "device_type").set(excludedValueOf: "os_name")
                        .set(excludedValueOf: "os_build").set(excludedValueOf: "site").set(excludedValueOf: "owner").set(excludedValueOf: "criticality")
                        .set(excludedValueOf: "clinical").set(excludedValueOf: "last_seen").set(excludedValueOf: "source").set(excludedValueOf: "imported_at")
                }.run()
            }
            for (id, device) in operatingSystems {
                try await sql.update("estate_devices").set("os_name", to: device.osName).set("os_build", to: device.osBuild).where("id", .equal, id).run()
            }
            if !software.isEmpty, let postgres = sql as? any PostgresDatabase {
                try await copySoftware(to: postgres)
            } else {
                try await insertSoftware(on: sql)
            }
        }

        private func insertSoftware(on sql: any SQLDatabase) async throws {
            guard !software.isEmpty else { return }
            let insert = sql.insert(into: "estate_software").columns(["software_set", "organisation_id"] + Self.softwareColumns)
            for (set, item) in software { insert.values([SQLBind(set), SQLBind(organisation)] + Self.softwareValues(item)) }
            try await insert.run()
        }

        /// Adds the batch to an import's staging devices (SQLite) and its software to the new sets;
        /// nothing the pages read changes yet. The staged device and its set's first rows are
        /// committed together, so a set being filled is always one a staged device names.
        func stage(_ staging: UUID, on sql: any SQLDatabase) async throws {
            if !devices.isEmpty {
                let insert = sql.insert(into: EstateStaging.devices).columns(["staging_id", "organisation_id"] + Self.deviceColumns)
                for (placed, device) in devices { insert.values([SQLBind(staging), SQLBind(organisation)] + deviceValues(placed, device)) }
                try await insert.run()
            }
            for (id, device) in operatingSystems {
                try await sql.update(EstateStaging.devices).set("os_name", to: device.osName).set("os_build", to: device.osBuild)
                    .where("staging_id", .equal, staging).where("id", .equal, id).run()
            }
            try await insertSoftware(on: sql)
        }

        /// PostgreSQL takes software rows through COPY, in its text format: a third of the time
        /// of an INSERT with 28,000 parameters, which mattered at a million rows.
        private func copySoftware(to postgres: any PostgresDatabase) async throws {
            var buffer = ByteBufferAllocator().buffer(capacity: software.count * 160)
            let organisation = self.organisation.uuidString
            for (set, item) in software {
                let fields: [String?] = [set.uuidString, organisation, String(item.name.prefix(300)), String(item.vendor.prefix(300)),
                                         String(item.version.prefix(100)), item.cpe, item.purl]
                for (i, field) in fields.enumerated() {
                    if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                    Self.writeCopyField(field, to: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
            }
            let data = buffer
            try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.copyFrom(table: "estate_software", columns: ["software_set", "organisation_id", "name", "vendor", "version", "cpe", "purl"],
                                                  logger: postgres.logger) { writer in try await writer.write(data) }
                }
            }.get()
        }

        /// A field in COPY's text format: `\N` for none; backslash, tab, newline and return escaped.
        static func writeCopyField(_ field: String?, to buffer: inout ByteBuffer) {
            guard let field else { buffer.writeString("\\N"); return }
            guard field.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 0x20 }) else { buffer.writeString(field); return }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeString("\\t")
                case UInt8(ascii: "\n"): buffer.writeString("\\n")
                case UInt8(ascii: "\r"): buffer.writeString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }
}
