import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static let estateSummary = APIOperation(
        id: "estateSummary", tag: "estate",
        summary: "The organisation's estate figures, the total below it, its trend and its most widespread vulnerabilities",
        problems: [401, 403, 404])

    static let estateDevices = APIOperation(
        id: "estateDevices", tag: "estate",
        summary: "Devices, worst exposed first, 100 a page",
        query: [
            .query("exposure", oneOf: EstateQueries.Exposure.self),
            .query("q", ["type": "string"]),
            .query("page", ["type": "integer", "minimum": 1]),
        ],
        problems: [401, 403, 404, 422])

    static let estateDevice = APIOperation(
        id: "estateDevice", tag: "estate",
        summary: "One device: its software, vulnerabilities and unsupported components",
        problems: [401, 403, 404])

    static let estateVulnerability = APIOperation(
        id: "estateVulnerability", tag: "estate",
        summary: "One CVE from the knowledge base, with the organisation's affected devices",
        problems: [401, 403, 404, 422])

    static let importInventory = APIOperation(
        id: "importInventory", tag: "estate",
        summary: "Import an inventory export (upserted by device id), then analyse",
        description: "The body is read only after the token's role is checked, straight into a temporary file (up to 200 MB). It must be UTF-8; a quote that is never closed or a record cut short refuses the whole file, naming the line. Nothing is written unless the whole file is accepted.",
        query: [
            .query("format", ["type": "string", "enum": .strings(EstateImportCommand.formats)]),
            .query("map", ["type": "string"], "field=column pairs, comma-separated"),
            .query("allow_large_removal", ["type": "string", "enum": ["yes", "no"]], "yes: accept a file that removes more than 20% of the devices its format last listed (refused by default, as an empty or cut-short export would)"),
        ],
        body: [.csv, .media("application/json", ["type": "object", "description": "A CycloneDX 1.5 or 1.6 SBOM"])],
        problems: [400, 401, 403, 404, 413, 415, 422])

    static let analyseEstate = APIOperation(
        id: "analyseEstate", tag: "estate",
        summary: "Match the estate against the knowledge base now and record today's snapshot",
        problems: [401, 403, 404])

    static let cyberAlerts = APIOperation(
        id: "cyberAlerts", tag: "estate",
        summary: "High severity cyber alerts with the organisation's response, deadlines and affected devices",
        problems: [401, 403, 404])

    static let respondToCyberAlert = APIOperation(
        id: "respondToCyberAlert", tag: "estate",
        summary: "Acknowledge an alert or record the update",
        body: [.json(CyberAlerts.Answer.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let addCyberAlert = APIOperation(
        id: "addCyberAlert", tag: "estate",
        summary: "Record an NHS England high severity cyber alert (system administrators)",
        body: [.json(CyberAlerts.NewAlert.self)],
        problems: [400, 401, 403, 415, 422])
}

extension EstateRollUp: APISchema {
    static let schemaName = "EstateRollUp"
    static let fieldNotes: [String: JSON] = [
        "devices": ["minimum": 0],
        "unsupportedOS": ["minimum": 0],
        "unsupportedSoftware": ["minimum": 0],
        "knownExploited": ["minimum": 0],
        "ransomware": ["minimum": 0],
        "vulnerable": ["minimum": 0],
        "criticalOrHigh": ["minimum": 0],
        "patchCompliant": ["minimum": 0],
    ]
}

extension EstateQueries.TopVulnerability: APISchema {
    static let schemaName = "EstateTopVulnerability"
    static let fieldNotes: [String: JSON] = [
        "severity": ["enum": .strings(Severity.allCases.map(\.name))],
    ]
}

extension EstateAPI.Summary: APISchema {
    static let schemaName = "EstateSummary"
    static let fieldNotes: [String: JSON] = [
        "patch_compliance_percent": ["minimum": 0, "maximum": 100],
    ]
}

extension EstateQueries.Device: APISchema {
    static let schemaName = "EstateDevice"
    static let fieldNotes: [String: JSON] = [
        "type": ["enum": .values(of: DeviceType.self)],
        "criticality": ["enum": .values(of: DeviceCriticality.self)],
        "severity": ["enum": .strings(Severity.allCases.map(\.name))],
    ]
}

extension EstateAPI.DevicePage: APISchema {
    static let schemaName = "EstateDevicePage"
}

extension EstateQueries.DeviceDetail: APISchema {
    static let schemaName = "EstateDeviceDetail"
}

extension EstateQueries.Vulnerability: APISchema {
    static let schemaName = "EstateVulnerability"
}

extension EstateAnalysisRunner.Outcome: APISchema {
    static let schemaName = "EstateAnalysis"
}

extension EstateAPI.ImportResult: APISchema {
    static let schemaName = "InventoryImportResult"
}

extension CyberAlerts.Alert: APISchema {
    static let schemaName = "CyberAlert"
    static let fieldNotes: [String: JSON] = [
        "status": ["enum": .values(of: CyberAlertStatus.self)],
    ]
}

extension CyberAlerts.Answer: APISchema {
    static let schemaName = "CyberAlertResponseInput"
    static let schemaNotes: [String: JSON] = ["required": ["status"]]
    static let fieldNotes: [String: JSON] = [
        "status": ["enum": .values(of: CyberAlertStatus.self)],
        "note": ["maxLength": 2000],
    ]
}

extension CyberAlerts.NewAlert: APISchema {
    static let schemaName = "CyberAlertInput"
    static let schemaNotes: [String: JSON] = ["required": ["cves", "reference", "required_action", "title"]]
    static let fieldNotes: [String: JSON] = [
        "issued_at": ["description": "ISO 8601, e.g. 2026-11-20T09:00:00Z; now when left out"],
        "cves": ["description": "CVE ids separated by spaces or commas"],
    ]
}
