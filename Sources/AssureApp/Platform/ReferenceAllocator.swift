import Fluent
import Foundation
import SQLKit

/// The one way a numbered record gets its number (R-0001, A1, E1, SO1 and those the next domains
/// add). One row per organisation and kind holds the last number given; a single
/// `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement both creates and advances it, so two
/// concurrent creates can never read the same "highest so far" (on PostgreSQL the row stays
/// locked until the transaction ends; SQLite has one writer). Call it inside the transaction that
/// inserts the record: a rolled-back create gives its number back, so references have no gaps.
enum ReferenceAllocator {
    /// A kind of numbered record: the table that holds it (with `organisation_id` and `number`).
    struct Kind: Sendable {
        var name: String
        var table: String

        static let risk = Kind(name: "risk", table: "risks")
        static let assessment = Kind(name: "assessment", table: "assessments")
        static let evidence = Kind(name: "evidence", table: "evidence")
        static let objective = Kind(name: "strategic-objective", table: "strategic_objectives")
    }

    /// Reserves `count` consecutive numbers and returns them. The first reservation for an
    /// organisation starts after the highest number its table already holds, so a database
    /// that had records before the allocator existed carries on from them.
    static func next(_ kind: Kind, count: Int = 1, organisation: UUID, on db: any Database) async throws -> ClosedRange<Int> {
        precondition(count > 0)
        let sql = try db.sqlDatabase
        let row = try await sql.raw("""
            INSERT INTO reference_counters (organisation_id, kind, last_number)
            VALUES (\(bind: organisation), \(bind: kind.name),
                    (SELECT COALESCE(MAX(number), 0) FROM \(ident: kind.table) WHERE organisation_id = \(bind: organisation)) + \(bind: count))
            ON CONFLICT (organisation_id, kind) DO UPDATE SET last_number = reference_counters.last_number + \(bind: count)
            RETURNING last_number
            """).first()
        guard let last = try row?.decode(column: "last_number", as: Int.self) else {
            throw AssureError(status: .internalServerError, title: "No reference", detail: "A reference number could not be allocated")
        }
        return (last - count + 1)...last
    }
}

struct CreateReferenceCounters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("reference_counters")
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("last_number", .int, .required)
            .compositeIdentifier(over: "organisation_id", "kind")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("reference_counters").delete()
    }
}
