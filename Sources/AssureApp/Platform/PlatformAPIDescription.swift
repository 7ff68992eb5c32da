import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static let getOpenAPI = APIOperation(
        id: "getOpenAPI", tag: "operations",
        summary: "This document",
        responses: [APIResponse(status: 200, description: "The OpenAPI 3.1 document", content: [.media("application/json", ["type": "object"])])],
        problems: [],
        isOpen: true)

    static let getHealth = APIOperation(
        id: "getHealth", tag: "operations",
        summary: "The process is up",
        problems: [],
        isOpen: true)

    static let getReadiness = APIOperation(
        id: "getReadiness", tag: "operations",
        summary: "The database is reachable and its schema current",
        responses: [.ok(OperationsRoutes.HealthStatus.self, "Ready"),
                    APIResponse(status: 503, description: "Not ready: database unreachable or schema behind", content: [.json(OperationsRoutes.HealthStatus.self)])],
        problems: [],
        isOpen: true)
}

extension OperationsRoutes.HealthStatus: APISchema {
    static let schemaName = "HealthStatus"
}
