import AssureCore
import Vapor

/// Writes the OpenAPI 3.1 description from the registered routes: each `/api/` route's
/// `APIOperation`, its path parameters from `APIPathParameters`, and every body read from its
/// Swift type. A route under `/api/` registered without a description is refused here, so the
/// application does not start with an undescribed operation.
enum OpenAPIBuilder {
    struct Undescribed: Error, CustomStringConvertible { var description: String }

    static func document(for routes: [Route], tags: [String: String]) throws -> JSON {
        let reader = JSONSchemaReader()
        var paths: [String: JSON] = [:]
        for route in routes {
            let template = route.path.map(pathSegment).joined(separator: "/")
            guard let operation = route.userInfo[APIOperation.userInfoKey] as? APIOperation else {
                if route.path.first?.description == "api" {
                    throw Undescribed(description: "\(route.method) /\(template) has no APIOperation; register it with routes.api")
                }
                continue
            }
            var item = paths["/" + template] ?? [:]
            item[route.method.rawValue.lowercased()] = try describe(operation, parameters: try pathParameters(route), reader: reader)
            paths["/" + template] = item
        }
        var schemas = reader.components
        schemas["Problem"] = try reader.schema(for: AssureErrorMiddleware.Problem.self)
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Assure API", "version": .string(AssureRelease.version),
                "summary": "IT governance, risk and assurance for NHS organisations",
                "description": "JSON API of Assure. Errors are RFC 9457 problem details (application/problem+json) naming the field at fault. This document is written by Assure from its registered routes and the Swift types of their bodies.",
                "license": ["name": "Apache-2.0", "identifier": "Apache-2.0"],
            ],
            "servers": [["url": "/"]],
            "security": [["bearer": []]],
            "tags": .array(tags.sorted { $0.key < $1.key }.map { ["name": .string($0.key), "description": .string($0.value)] }),
            "paths": .object(paths),
            "components": [
                "schemas": .object(schemas),
                "responses": ["Problem": ["description": "RFC 9457 problem details",
                                          "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]]],
                "securitySchemes": ["bearer": [
                    "type": "http", "scheme": "bearer",
                    "description": "A personal API token (assure tokens create), scoped to one organisation and one role no higher than its owner's there (a system administrator's token acts across Assure). The API never reads cookies.",
                ]],
            ],
        ]
    }

    private static func describe(_ operation: APIOperation, parameters: [JSON], reader: JSONSchemaReader) throws -> JSON {
        var described: JSON = ["operationId": .string(operation.id), "tags": [.string(operation.tag)], "summary": .string(operation.summary)]
        if let description = operation.description { described["description"] = .string(description) }
        let query: [JSON] = operation.query.map { parameter in
            var json: JSON = ["name": .string(parameter.name), "in": "query", "schema": parameter.schema]
            if !parameter.description.isEmpty { json["description"] = .string(parameter.description) }
            if parameter.required { json["required"] = true }
            return json
        }
        if !(parameters + query).isEmpty { described["parameters"] = .array(parameters + query) }
        if !operation.body.isEmpty {
            described["requestBody"] = ["required": true, "content": try content(operation.body, reader)]
        }
        guard !operation.responses.isEmpty else {
            throw Undescribed(description: "\(operation.id) answers with a Response; its APIOperation must list its responses")
        }
        var responses: [String: JSON] = [:]
        for response in operation.responses {
            var json: JSON = ["description": .string(response.description)]
            if !response.content.isEmpty { json["content"] = try content(response.content, reader) }
            responses[String(response.status)] = json
        }
        for status in operation.problems { responses[String(status)] = ["$ref": "#/components/responses/Problem"] }
        described["responses"] = .object(responses)
        if operation.isOpen { described["security"] = [] }
        return described
    }

    private static func content(_ contents: [APIContent], _ reader: JSONSchemaReader) throws -> JSON {
        .object(Dictionary(uniqueKeysWithValues: try contents.map { ($0.mediaType, ["schema": try $0.describe(reader)]) }))
    }

    private static func pathSegment(_ component: PathComponent) -> String {
        if case .parameter(let name) = component { return "{\(name)}" }
        return component.description
    }

    private static func pathParameters(_ route: Route) throws -> [JSON] {
        try route.path.compactMap { component -> JSON? in
            guard case .parameter(let name) = component else { return nil }
            guard let parameter = APIPathParameters.all[name] else {
                throw Undescribed(description: "The path parameter {\(name)} of \(route.method) \(route.path.string) is not in APIPathParameters")
            }
            var json: JSON = ["name": .string(name), "in": "path", "required": true, "schema": parameter.schema]
            if !parameter.description.isEmpty { json["description"] = .string(parameter.description) }
            return json
        }
    }
}

/// Every path parameter the API uses, described once.
enum APIPathParameters {
    static let all: [String: APIParameter] = Dictionary(uniqueKeysWithValues: [
        APIParameter(name: "code", description: "The organisation's ODS code", schema: ["type": "string", "pattern": "^[A-Za-z0-9]{3,10}$"]),
        APIParameter(name: "membership", description: "The membership's id", schema: ["type": "string", "format": "uuid"]),
        APIParameter(name: "person", description: "The account's id", schema: ["type": "string", "format": "uuid"]),
        APIParameter(name: "risk", description: "The risk's reference, e.g. R-0042", schema: ["type": "string", "maxLength": 20]),
        APIParameter(name: "objective", description: "The objective's reference, e.g. SO1", schema: ["type": "string", "maxLength": 20]),
        APIParameter(name: "framework", description: "A framework id, or id@version", schema: ["type": "string", "maxLength": 80]),
        APIParameter(name: "assessment", description: "The assessment's reference, e.g. A1", schema: ["type": "string", "maxLength": 20]),
        APIParameter(name: "item", description: "The item's id in its framework, e.g. A2.a", schema: ["type": "string", "maxLength": 40]),
        APIParameter(name: "evidence", description: "The evidence's reference, e.g. E1", schema: ["type": "string", "maxLength": 20]),
        APIParameter(name: "device", description: "The device's key in the inventory", schema: ["type": "string"]),
        APIParameter(name: "cve", description: "A CVE identifier, e.g. CVE-2017-0144", schema: ["type": "string"]),
        APIParameter(name: "alert", description: "The cyber alert's reference, e.g. CC-4321", schema: ["type": "string"]),
    ].map { ($0.name, $0) })
}
