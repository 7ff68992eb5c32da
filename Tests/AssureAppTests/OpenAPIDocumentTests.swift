import XCTVapor
@testable import AssureApp

/// The OpenAPI document is written from the registered routes and the Swift types of their bodies;
/// these tests hold the writer to that: no API route undescribed, bodies read from their types.
final class OpenAPIDocumentTests: XCTestCase {
    func testEveryAPIRouteIsDescribedFromItsRegistration() async throws {
        try await withAssure { app in
            let document = try await Self.document(app)
            XCTAssertEqual(document["openapi"] as? String, "3.1.0")
            let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            let registered = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                return path.hasPrefix("/api/") || route.userInfo[APIOperation.userInfoKey] != nil ? "\(route.method.rawValue) \(path)" : nil
            })
            XCTAssertEqual(registered, documented)
            XCTAssertTrue(documented.contains("GET /healthz"))
            let ids = paths.values.flatMap { $0.values.compactMap { ($0 as? [String: Any])?["operationId"] as? String } }
            XCTAssertEqual(ids.count, Set(ids).count, "operation ids are unique")
        }
    }

    func testBodiesAreReadFromTheirTypes() async throws {
        try await withAssure { app in
            let document = try await Self.document(app)
            let schemas = try XCTUnwrap((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
            // The risk list's fields are RiskAPI.RiskList's; its items are RiskRow, by reference.
            let list = try XCTUnwrap(schemas["RiskList"]?["properties"] as? [String: [String: Any]])
            XCTAssertEqual(Set(list.keys), ["total", "page", "page_size", "items"])
            XCTAssertEqual((list["items"]?["items"] as? [String: Any])?["$ref"] as? String, "#/components/schemas/RiskRow")
            XCTAssertEqual(list["total"]?["type"] as? String, "integer")
            // A typed body refuses fields it does not read, and says so in the document.
            let control = try XCTUnwrap(Self.operation(document, "post", "/api/v1/organisations/{code}/risks/{risk}/controls"))
            let body = try XCTUnwrap(((control["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])
            let schema = try XCTUnwrap(body["schema"] as? [String: Any])
            XCTAssertEqual(Set((schema["properties"] as? [String: Any] ?? [:]).keys), ["control", "effectiveness"])
            // Created answers are described with their status and type.
            let create = try XCTUnwrap(Self.operation(document, "post", "/api/v1/organisations/{code}/risks"))
            let created = try XCTUnwrap((create["responses"] as? [String: Any])?["201"] as? [String: Any])
            XCTAssertNotNil(created["content"])
            XCTAssertEqual(((create["responses"] as? [String: Any])?["422"] as? [String: Any])?["$ref"] as? String, "#/components/responses/Problem")
        }
    }

    func testEveryReferenceResolves() async throws {
        try await withAssure { app in
            let bytes = try await Self.bytes(app)
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: bytes) as? [String: Any])
            let components = try XCTUnwrap(document["components"] as? [String: [String: Any]])
            let text = try XCTUnwrap(String(data: bytes, encoding: .utf8))
            let references = try NSRegularExpression(pattern: ##""\$ref":"#/components/(\w+)/(\w+)""##)
            let found = references.matches(in: text, range: NSRange(text.startIndex..., in: text))
            XCTAssertGreaterThan(found.count, 50)
            for match in found {
                let kind = String(text[Range(match.range(at: 1), in: text)!]), name = String(text[Range(match.range(at: 2), in: text)!])
                XCTAssertNotNil(components[kind]?[name], "#/components/\(kind)/\(name) is referred to but not defined")
            }
        }
    }

    func testAnAPIRouteWithoutADescriptionStopsTheDocument() throws {
        let routes = Routes()
        routes.get("api", "v1", "undescribed") { _ in "no description" }
        XCTAssertThrowsError(try OpenAPIBuilder.document(for: routes.all, tags: [:])) { error in
            XCTAssertTrue(String(describing: error).contains("GET /api/v1/undescribed"), "\(error)")
        }
    }

    func testAnUnknownPathParameterStopsTheDocument() throws {
        let routes = Routes()
        routes.api(.GET, .api(.organisation(":nobody")), APIOperation(id: "x", tag: "x", summary: "x")) { _ in HTTPStatus.ok }
        XCTAssertThrowsError(try OpenAPIBuilder.document(for: routes.all, tags: [:])) { error in
            XCTAssertTrue(String(describing: error).contains("{nobody}"), "\(error)")
        }
    }

    private static func document(_ app: Application) async throws -> [String: Any] {
        let bytes = try await bytes(app)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: bytes) as? [String: Any])
    }

    private static func bytes(_ app: Application) async throws -> Data {
        var bytes = Data()
        try await app.send(.GET, "/api/v1/openapi.json") { res async throws in
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.headers.contentType, .json)
            bytes = Data(res.body.readableBytesView)
        }
        return bytes
    }

    private static func operation(_ document: [String: Any], _ method: String, _ path: String) -> [String: Any]? {
        ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method] as? [String: Any]
    }
}
