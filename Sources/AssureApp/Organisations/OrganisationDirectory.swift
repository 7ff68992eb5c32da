import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Reads and changes organisations. Reads use SQLKit; every change is checked against the tree
/// in the same transaction it is written in.
struct OrganisationDirectory {
    let database: any Database

    private var sql: any SQLDatabase {
        get throws {
            let sql = try database.sqlDatabase
            return sql
        }
    }

    func find(_ code: String) async throws -> OrganisationRecord? {
        try await sql.raw("SELECT \(unsafeRaw: OrganisationRecord.columns) FROM \(unsafeRaw: OrganisationRecord.from) WHERE o.ods_code = \(bind: code.uppercased())")
            .first().map(OrganisationRecord.init(row:))
    }

    func require(_ code: String) async throws -> OrganisationRecord {
        guard let record = try await find(code) else {
            throw AssureError.notFound("No organisation has the ODS code '\(code)'")
        }
        return record
    }

    func children(of id: UUID) async throws -> [OrganisationRecord] {
        try await sql.raw("SELECT \(unsafeRaw: OrganisationRecord.columns) FROM \(unsafeRaw: OrganisationRecord.from) WHERE o.parent_id = \(bind: id) ORDER BY o.name")
            .all().map(OrganisationRecord.init(row:))
    }

    /// The children the person may read. Each child's ancestors are its parent's chain, so the
    /// permission function decides from that alone, without loading the whole tree.
    func children(of parent: OrganisationRecord, readableBy identity: Identity, parentAncestors: [String]) async throws -> [OrganisationRecord] {
        let ancestors = [parent.odsCode] + parentAncestors
        return try await children(of: parent.id).filter {
            AccessPolicy.allows(identity.memberships, .read, on: $0.odsCode, ancestors: ancestors)
        }
    }

    /// The organisation and everything above it, root first, for breadcrumbs.
    func ancestry(of code: String) async throws -> [OrganisationRecord] {
        let rows = try await sql.raw("""
            WITH RECURSIVE chain(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM organisations WHERE ods_code = \(bind: code.uppercased())
                UNION ALL
                SELECT o.id, o.parent_id, chain.depth + 1 FROM organisations o JOIN chain ON o.id = chain.parent_id
                WHERE chain.depth < 32
            )
            SELECT \(unsafeRaw: OrganisationRecord.columns), chain.depth
            FROM chain JOIN organisations o ON o.id = chain.id LEFT JOIN organisations p ON p.id = o.parent_id
            ORDER BY chain.depth DESC
            """).all()
        return try rows.map(OrganisationRecord.init(row:))
    }

    /// Everything below an organisation, each with the codes above it up to (and including) that
    /// organisation, nearest first, for the permission function.
    func descendants(of code: String) async throws -> [(record: OrganisationRecord, above: [String])] {
        let rows = try await sql.raw("""
            WITH RECURSIVE below(id, path, depth) AS (
                SELECT o.id, CAST(o.ods_code AS TEXT), 0 FROM organisations o WHERE o.ods_code = \(bind: code.uppercased())
                UNION ALL
                SELECT o.id, below.path || ',' || o.ods_code, below.depth + 1 FROM organisations o JOIN below ON o.parent_id = below.id
                WHERE below.depth < 32
            )
            SELECT \(unsafeRaw: OrganisationRecord.columns), below.path
            FROM below JOIN organisations o ON o.id = below.id LEFT JOIN organisations p ON p.id = o.parent_id
            WHERE below.depth > 0 ORDER BY o.name
            """).all()
        return try rows.map { row in
            let path = try row.decode(column: "path", as: String.self).split(separator: ",").map(String.init)
            return (try OrganisationRecord(row: row), Array(path.dropLast().reversed()))
        }
    }

    /// Every organisation, lightly, for drawing the whole tree.
    func treeRows() async throws -> [OrganisationTreeRow] {
        try await sql.raw("SELECT o.ods_code, o.name, o.type, p.ods_code AS parent_code FROM \(unsafeRaw: OrganisationRecord.from) ORDER BY o.name")
            .all().map { row in
                OrganisationTreeRow(
                    odsCode: try row.decode(column: "ods_code", as: String.self),
                    parentCode: try row.decode(column: "parent_code", as: String?.self),
                    name: try row.decode(column: "name", as: String.self),
                    type: try OrganisationType.decode(column: "type", from: row)
                )
            }
    }

    struct Filter {
        var text: String?
        var type: OrganisationType?
        var parentCode: String?
        /// Only these codes (what the caller may read); nil for everything.
        var restrictTo: Set<String>?
        var limit = 50
        var offset = 0
    }

    /// Organisations whose name or ODS code contains the text, optionally of one type or under one parent.
    func search(_ filter: Filter) async throws -> (total: Int, items: [OrganisationRecord]) {
        var conditions: [SQLQueryString] = []
        if let text = filter.text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            let pattern = "%" + Self.escapeLike(text.lowercased()) + "%"
            conditions.append("(lower(o.name) LIKE \(bind: pattern) ESCAPE '\\' OR lower(o.ods_code) LIKE \(bind: pattern) ESCAPE '\\')")
        }
        if let type = filter.type { conditions.append("o.type = \(bind: type.rawValue)") }
        if let parent = filter.parentCode { conditions.append("p.ods_code = \(bind: parent.uppercased())") }
        if let allowed = filter.restrictTo {
            guard !allowed.isEmpty else { return (0, []) }
            conditions.append("o.ods_code IN (" + allowed.sorted().map { SQLQueryString("\(bind: $0)") }.joined(separator: ", ") + ")")
        }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try await sql.raw("SELECT count(*) AS n FROM \(unsafeRaw: OrganisationRecord.from) \(whereClause)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let items = try await sql.raw("""
            SELECT \(unsafeRaw: OrganisationRecord.columns) FROM \(unsafeRaw: OrganisationRecord.from) \(whereClause)
            ORDER BY o.name, o.ods_code LIMIT \(bind: filter.limit) OFFSET \(bind: filter.offset)
            """).all().map(OrganisationRecord.init(row:))
        return (total, items)
    }

    /// The shape of the whole tree, for checking a change or an import against it.
    func hierarchy() async throws -> OrganisationHierarchy {
        let rows = try await sql.raw("SELECT o.ods_code, o.type, p.ods_code AS parent_code FROM \(unsafeRaw: OrganisationRecord.from)").all()
        return OrganisationHierarchy(try rows.map { row in
            OrganisationHierarchy.Node(
                code: try ODSCode(row.decode(column: "ods_code", as: String.self)),
                type: try OrganisationType.decode(column: "type", from: row),
                parentCode: try row.decode(column: "parent_code", as: String?.self).map { try ODSCode($0) }
            )
        })
    }

    /// The codes the person may read, or nil when they may read everything (a system administrator).
    func readable(by identity: Identity) async throws -> Set<String>? {
        if identity.memberships.contains(where: { $0.role == .systemAdmin }) { return nil }
        return ReadableOrganisations(identity, tree: try await treeRows()).codes
    }

    private static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
