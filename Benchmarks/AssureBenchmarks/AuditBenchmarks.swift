import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor
import AssureApp

/// Audit trail figures: what one append adds to a write (p95), and `audit verify` throughput.
enum AuditBenchmarks {
    static func run(postgresURL: String?, directory: String, entries: Int) async throws {
        let app = try await Application.make(.testing)
        let database: AssureConfiguration.DatabaseLocation = postgresURL.map { .postgres(url: $0) } ?? .sqliteFile(path: directory + "/audit-bench.sqlite")
        try await configure(app, AssureConfiguration(dataDirectory: directory, database: database, logLevel: .warning))
        if let sql = app.db as? any SQLDatabase, postgresURL != nil {
            try await sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        }
        try await app.autoMigrate()
        guard let sql = app.db as? any SQLDatabase else { fatalError("needs SQL") }
        let id = UUID()
        try await sql.raw("""
            INSERT INTO organisations (id, ods_code, name, type, created_at, updated_at)
            VALUES (\(bind: id), 'Y99', 'Avalon Region (demo)', 'region', \(bind: Date()), \(bind: Date()))
            """).run()

        // Load the trail in large batches, as an import of many organisations would.
        let loadStart = ContinuousClock.now
        var loaded = 0
        while loaded < entries {
            let batch = min(10_000, entries - loaded)
            let events = (0..<batch).map { index in
                AuditEvent(actor: "benchmark", organisationCode: "T91", action: "update", entityType: "organisation", entityID: "T91",
                           changes: ["name": .init(before: "Name \(loaded + index)", after: "Name \(loaded + index + 1)")],
                           requestID: UUID().uuidString, clientAddress: "127.0.0.1", recordedAt: Date())
            }
            try await app.db.writeTransaction { db in try await AuditTrail.append(events, on: db) }
            loaded += batch
        }
        print("Audit trail loaded with \(loaded) entries in \(format(ContinuousClock.now - loadStart))")

        // What one append adds to a write: the same organisation update with and without its entry.
        var plain: [Duration] = []
        var audited: [Duration] = []
        for round in 0..<500 {
            let name = "Avalon Region \(round)"
            let event = AuditEvent(actor: "benchmark", organisationCode: "Y99", action: "update", entityType: "organisation", entityID: "Y99",
                                   changes: ["name": .init(before: "Avalon Region \(round - 1)", after: name)], requestID: UUID().uuidString, clientAddress: "127.0.0.1", recordedAt: Date())
            let started = ContinuousClock.now
            try await app.db.writeTransaction { db in
                try await (db as! any SQLDatabase).raw("UPDATE organisations SET name = \(bind: name), updated_at = \(bind: Date()) WHERE id = \(bind: id)").run()
            }
            plain.append(ContinuousClock.now - started)
            let auditedStarted = ContinuousClock.now
            try await app.db.writeTransaction { db in
                try await (db as! any SQLDatabase).raw("UPDATE organisations SET name = \(bind: name + "."), updated_at = \(bind: Date()) WHERE id = \(bind: id)").run()
                try await AuditTrail.append([event], on: db)
            }
            audited.append(ContinuousClock.now - auditedStarted)
        }
        let added = percentile(audited, 0.95) - percentile(plain, 0.95)
        print("Organisation update (500 writes each): without audit p95 \(format(percentile(plain, 0.95))), with its audit entry p95 \(format(percentile(audited, 0.95))); the audit append adds \(format(added)) at p95 — target < 1 ms")

        let verifyStart = ContinuousClock.now
        let verifier = try await AuditTrail.verify(on: app.db)
        let elapsed = ContinuousClock.now - verifyStart
        precondition(verifier.firstBreak == nil, "benchmark chain should verify")
        let rate = Double(verifier.verified) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print("audit verify: \(verifier.verified) entries in \(format(elapsed)) = \(Int(rate)) entries/s — target ≥ 200,000 entries/s")
        try await app.asyncShutdown()
    }

    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static func format(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return ms >= 1000 ? String(format: "%.2f s", ms / 1000) : String(format: "%.3f ms", ms)
    }
}
