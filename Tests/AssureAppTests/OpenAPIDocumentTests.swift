import XCTVapor
@testable import AssureApp

/// Keeps the OpenAPI document honest: every API route is described, every described route exists.
final class OpenAPIDocumentTests: XCTestCase {
    func testDocumentAndRoutesAgree() async throws {
        try await withAssure { app in
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
            XCTAssertEqual(document["openapi"] as? String, "3.1.0")
            let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
            let methods: Set<String> = ["get", "put", "post", "delete", "patch"]
            let documented = Set(paths.flatMap { path, operations in
                operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
            })
            let registered = Set(app.routes.all.map { route in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                return "\(route.method.rawValue) \(path)"
            })
            let api = registered.filter { $0.contains(" /api/") }
            XCTAssertEqual(api.subtracting(documented), [], "API routes missing from openapi.json")
            XCTAssertEqual(documented.subtracting(registered), [], "openapi.json describes routes that do not exist")
        }
    }

    func testTheDocumentIsServed() async throws {
        try await withAssure { app in
            try await app.send(.GET, "/api/v1/openapi.json") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.json()["openapi"] as? String, "3.1.0")
            }
        }
    }
}
