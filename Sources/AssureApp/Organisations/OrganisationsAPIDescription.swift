import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static let listOrganisations = APIOperation(
        id: "listOrganisations", tag: "organisations",
        summary: "List and search organisations",
        query: [
            .query("q", ["type": "string"], "Text found in the name or ODS code"),
            .query("type", oneOf: OrganisationType.self, adding: [""], "Only organisations of this type; empty means every type"),
            .query("parent", ["type": "string"], "Only organisations directly under this ODS code"),
            .query("limit", ["type": "integer", "minimum": 1, "maximum": 500, "default": 50]),
            .query("offset", ["type": "integer", "minimum": 0, "maximum": 2147483647, "default": 0]),
        ],
        problems: [400, 422, 401])

    static let createOrganisation = APIOperation(
        id: "createOrganisation", tag: "organisations",
        summary: "Add an organisation",
        body: [.json(OrganisationInput.self)],
        problems: [400, 409, 413, 415, 422, 401])

    static let importOrganisations = APIOperation(
        id: "importOrganisations", tag: "organisations",
        summary: "Import organisations from CSV (all or nothing)",
        description: "Header: ods_code,name,type,parent_ods_code,dspt_category. New ODS codes are added, existing ones updated. If any line is wrong nothing is written and every problem is listed with its line and field.",
        body: [.csv],
        responses: [.ok(OrganisationChanges.ImportSummary.self, "Imported")],
        problems: [413, 415, 422, 401])

    static let getOrganisation = APIOperation(
        id: "getOrganisation", tag: "organisations",
        summary: "One organisation",
        problems: [404, 401])

    static let replaceOrganisation = APIOperation(
        id: "replaceOrganisation", tag: "organisations",
        summary: "Change an organisation's details (its ODS code stays)",
        body: [.json(OrganisationInput.self)],
        problems: [400, 404, 413, 415, 422, 401])

    static let listChildOrganisations = APIOperation(
        id: "listChildOrganisations", tag: "organisations",
        summary: "Organisations directly under one organisation",
        problems: [404, 401])
}

extension OrganisationDTO: APISchema {
    static let schemaName = "Organisation"
    static let schemaNotes: [String: JSON] = ["required": ["created_at", "dspt_category", "parent_ods_code", "updated_at"]]
    static let fieldNotes: [String: JSON] = [
        "type": ["enum": .values(of: OrganisationType.self)],
        "dspt_category": ["minimum": 1, "maximum": 4],
    ]
}

extension OrganisationInput: APISchema {
    static let schemaName = "OrganisationInput"
    static let schemaNotes: [String: JSON] = ["additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "ods_code": ["description": "Required when creating; must match the address when replacing", "pattern": "^\\s*[A-Za-z0-9]{3,10}\\s*$"],
        "name": ["maxLength": 200, "minLength": 1],
        "type": ["enum": .values(of: OrganisationType.self)],
        "dspt_category": ["minimum": 1, "maximum": 4],
    ]
}

extension OrganisationList: APISchema {
    static let schemaName = "OrganisationList"
}

extension OrganisationChanges.ImportSummary: APISchema {
    static let schemaName = "ImportSummary"
}
