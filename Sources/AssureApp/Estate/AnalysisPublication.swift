import AssureCore
import Fluent
import Foundation
import SQLKit

/// An analysis's findings (`estate_title_findings`, `estate_findings`) carry the analysis's id,
/// and `estate_analyses` names each organisation's published one. An analysis writes its findings
/// a chunk at a time where nothing reads them, then publishes in one short transaction (device
/// figures replaced, the pointer moved, the day's snapshot): readers see the old analysis or the
/// new, and on SQLite other writers wait for a chunk or the publish, not the whole save.
///
/// `estate_analysis_runs` lists every analysis whose findings may still be stored, and whether it
/// is over. After each analysis, the findings of the organisation's analyses that are over and not
/// published go, a chunk of CVEs at a time; one under way is left alone, and one a crash left
/// unfinished is marked over at `serve` a day on.
enum AnalysisPublication {
    /// The organisation's published analysis, for reads: `f.analysis_id = \(current(…))`.
    static func current(_ organisation: UUID) -> SQLQueryString {
        "(SELECT analysis_id FROM estate_analyses WHERE organisation_id = \(bind: organisation))"
    }

    static func begin(_ analysis: UUID, organisation: UUID, at now: Date, on database: any Database) async throws {
        try await database.writeTransaction { db in
            try await db.sqlDatabase.insert(into: "estate_analysis_runs").columns("id", "organisation_id", "started_at", "over")
                .values(SQLBind(analysis), SQLBind(organisation), SQLBind(now), SQLBind(false)).run()
        }
    }

    /// Inside the publishing transaction: the pointer moves to this analysis.
    static func publish(_ analysis: UUID, organisation: UUID, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM estate_analyses WHERE organisation_id = \(bind: organisation)").run()
        try await sql.insert(into: "estate_analyses").columns("organisation_id", "analysis_id").values(SQLBind(organisation), SQLBind(analysis)).run()
    }

    /// After a publish or a failure: this run is over, and the findings of every analysis of the
    /// organisation that is over and not published go.
    static func finish(_ analysis: UUID, organisation: UUID, on database: any Database) async throws {
        try await database.writeTransaction { db in
            try await db.sqlDatabase.raw("UPDATE estate_analysis_runs SET over = \(bind: true) WHERE id = \(bind: analysis)").run()
        }
        let sql = try database.sqlDatabase
        let stale = try await sql.raw("""
            SELECT id FROM estate_analysis_runs WHERE organisation_id = \(bind: organisation) AND over = \(bind: true)
              AND id NOT IN (SELECT analysis_id FROM estate_analyses WHERE organisation_id = \(bind: organisation))
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        for old in stale {
            for table in ["estate_title_findings", "estate_findings"] {
                let references = try await sql.raw("SELECT DISTINCT reference FROM \(ident: table) WHERE analysis_id = \(bind: old)").all()
                    .map { try $0.decode(column: "reference", as: String.self) }
                for chunk in references.chunks(of: 500) {
                    try await database.writeTransaction { db in
                        try await db.sqlDatabase.raw("DELETE FROM \(ident: table) WHERE analysis_id = \(bind: old) AND reference IN (\(binds: chunk))").run()
                    }
                }
            }
            try await database.writeTransaction { db in try await db.sqlDatabase.raw("DELETE FROM estate_analysis_runs WHERE id = \(bind: old)").run() }
        }
    }

    /// At `serve`: a run started more than a day ago is no longer under way; its findings go at
    /// the organisation's next analysis.
    static func sweep(on database: any Database, now: Date) async throws {
        try await database.writeTransaction { db in
            try await db.sqlDatabase.raw("""
                UPDATE estate_analysis_runs SET over = \(bind: true) WHERE over = \(bind: false) AND started_at < \(bind: now.addingTimeInterval(-86_400))
                """).run()
        }
    }
}

/// Findings tagged with their analysis, and the pointer to each organisation's published one
/// (`AnalysisPublication`). Findings already stored become the organisation's published analysis,
/// whose id is the organisation's own.
struct PublishAnalysesByPointer: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        try await database.schema("estate_analyses")
            .field("organisation_id", .uuid, .identifier(auto: false), .references(Organisation.schema, "id", onDelete: .cascade))
            .field("analysis_id", .uuid, .required)
            .create()
        try await database.schema("estate_analysis_runs")
            .field("id", .uuid, .identifier(auto: false))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("started_at", .datetime, .required)
            .field("over", .bool, .required)
            .create()
        let analysed = try await sql.raw("SELECT DISTINCT organisation_id FROM estate_device_results").all()
            .map { try $0.decode(column: "organisation_id", as: UUID.self) }
        // A migration has no clock; the run is over, so when it started does not matter.
        for organisation in analysed {
            try await sql.insert(into: "estate_analyses").columns("organisation_id", "analysis_id").values(SQLBind(organisation), SQLBind(organisation)).run()
            try await sql.insert(into: "estate_analysis_runs").columns("id", "organisation_id", "started_at", "over")
                .values(SQLBind(organisation), SQLBind(organisation), SQLBind(Date.distantPast), SQLBind(true)).run()
        }
        for table in ["estate_title_findings", "estate_findings"] {
            try await database.schema(table).field("analysis_id", .uuid).update()
            try await sql.raw("UPDATE \(ident: table) SET analysis_id = organisation_id").run()
        }
        // Reads find findings by the published analysis rather than the organisation.
        try await sql.raw("DROP INDEX estate_title_findings_by_reference").run()
        try await sql.raw("DROP INDEX estate_title_findings_by_title").run()
        try await sql.raw("DROP INDEX estate_findings_by_reference").run()
        try await sql.raw("CREATE INDEX estate_title_findings_by_reference ON estate_title_findings (analysis_id, kind, reference)").run()
        try await sql.raw("CREATE INDEX estate_title_findings_by_title ON estate_title_findings (analysis_id, source, name, version)").run()
        try await sql.raw("CREATE INDEX estate_findings_by_reference ON estate_findings (analysis_id, kind, reference)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        // Only the published analysis's findings go back.
        for table in ["estate_title_findings", "estate_findings"] {
            try await sql.raw("""
                DELETE FROM \(ident: table) WHERE analysis_id IS NULL
                   OR analysis_id NOT IN (SELECT analysis_id FROM estate_analyses)
                """).run()
        }
        try await sql.raw("DROP INDEX estate_title_findings_by_reference").run()
        try await sql.raw("DROP INDEX estate_title_findings_by_title").run()
        try await sql.raw("DROP INDEX estate_findings_by_reference").run()
        try await sql.raw("CREATE INDEX estate_title_findings_by_reference ON estate_title_findings (organisation_id, kind, reference)").run()
        try await sql.raw("CREATE INDEX estate_title_findings_by_title ON estate_title_findings (organisation_id, source, name, version)").run()
        try await sql.raw("CREATE INDEX estate_findings_by_reference ON estate_findings (organisation_id, kind, reference)").run()
        for table in ["estate_title_findings", "estate_findings"] {
            try await database.schema(table).deleteField("analysis_id").update()
        }
        try await database.schema("estate_analysis_runs").delete()
        try await database.schema("estate_analyses").delete()
    }
}
