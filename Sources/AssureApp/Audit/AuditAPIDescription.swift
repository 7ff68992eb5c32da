import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static let listAuditEntries = APIOperation(
        id: "listAuditEntries", tag: "audit",
        summary: "The organisation's audit trail, newest first",
        query: [
            .query("action", ["type": "string"]),
            .query("actor", ["type": "string"]),
            .query("entity_type", ["type": "string"]),
            .query("from", ["type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"], "First day, inclusive (UTC)"),
            .query("to", ["type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"], "Last day, inclusive (UTC)"),
            .query("page", ["type": "integer", "minimum": 1, "maximum": 1000000, "default": 1]),
        ],
        problems: [400, 404, 401])
}

extension AuditAPI.EntryDTO: APISchema {
    static let schemaName = "AuditEntry"
    static let schemaNotes: [String: JSON] = ["required": ["client_address", "organisation_code", "request_id"]]
    static let fieldNotes: [String: JSON] = [
        "changes": ["description": "Canonical JSON of the changed fields: {field: {before, after}}"],
    ]
}

extension AuditAPI.Page: APISchema {
    static let schemaName = "AuditPage"
}
