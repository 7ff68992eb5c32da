import AssureCore
import Foundation
import SQLKit

/// One organisation as pages and the API show it, read with SQLKit (no model decoding).
struct OrganisationRecord: Equatable, Sendable {
    var id: UUID
    var odsCode: String
    var name: String
    var type: OrganisationType
    var parentID: UUID?
    var parentCode: String?
    var parentName: String?
    var dsptCategory: Int?
    var createdAt: Date?
    var updatedAt: Date?

    /// Columns selected by every organisation read: `o` is the organisation, `p` its parent.
    static let columns = """
        o.id, o.ods_code, o.name, o.type, o.parent_id, o.dspt_category, o.created_at, o.updated_at,
        p.ods_code AS parent_code, p.name AS parent_name
        """
    static let from = "organisations o LEFT JOIN organisations p ON p.id = o.parent_id"

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: UUID.self)
        odsCode = try row.decode(column: "ods_code", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        type = try OrganisationType.decode(column: "type", from: row)
        parentID = try row.decodeNil(column: "parent_id") ? nil : row.decode(column: "parent_id", as: UUID.self)
        parentCode = try row.decode(column: "parent_code", as: String?.self)
        parentName = try row.decode(column: "parent_name", as: String?.self)
        dsptCategory = try row.decode(column: "dspt_category", as: Int?.self)
        createdAt = try row.decode(column: "created_at", as: Date?.self)
        updatedAt = try row.decode(column: "updated_at", as: Date?.self)
    }
}

/// A lightweight row for the whole-tree view: just what is needed to draw it (codes, not ids,
/// because text decodes many times faster than UUIDs from SQLite).
struct OrganisationTreeRow: Sendable {
    var odsCode: String
    var parentCode: String?
    var name: String
    var type: OrganisationType
}

extension OrganisationType {
    /// Reads a stored type; a value this build does not know is a data fault, not something to guess.
    static func decode(column: String, from row: any SQLRow) throws -> OrganisationType {
        let raw = try row.decode(column: column, as: String.self)
        guard let type = OrganisationType(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown organisation type '\(raw)' in the database"))
        }
        return type
    }
}
