import XCTVapor
@testable import AssureApp

final class OrganisationAPITests: XCTestCase {
    func testCreateReadListAndChildren() async throws {
        try await withAssure(demo: true) { app in
            let body = #"{"ods_code":"t97","name":"Seaview Hospitals NHS Trust","type":"trust","parent_ods_code":"Q9A","dspt_category":1}"#
            try await app.send(.POST, "/api/v1/organisations", headers: jsonHeaders(), body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .created)
                XCTAssertEqual(res.headers.first(name: .location), "/api/v1/organisations/T97")
                let json = try res.json()
                XCTAssertEqual(json["ods_code"] as? String, "T97")
                XCTAssertEqual(json["parent_ods_code"] as? String, "Q9A")
            }
            try await app.send(.GET, "/api/v1/organisations/t97") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.json()["name"] as? String, "Seaview Hospitals NHS Trust")
            }
            try await app.send(.GET, "/api/v1/organisations?type=trust&q=seaview") { res async throws in
                XCTAssertEqual(try res.json()["total"] as? Int, 1)
            }
            try await app.send(.GET, "/api/v1/organisations/Q9A/children") { res async throws in
                let items = try XCTUnwrap(try res.json()["items"] as? [[String: Any]])
                XCTAssertEqual(items.count, 3 + 10 + 1, "3 trusts, 10 practices and the new trust")
            }
            try await app.send(.GET, "/api/v1/organisations?parent=Q9B&limit=5&offset=5") { res async throws in
                let json = try res.json()
                XCTAssertEqual(json["total"] as? Int, 13)
                XCTAssertEqual((json["items"] as? [Any])?.count, 5)
            }
        }
    }

    func testReplaceChangesDetailsButNotTheCode() async throws {
        try await withAssure(demo: true) { app in
            let move = #"{"name":"Kingsmere University Hospitals NHS Foundation Trust","type":"foundation-trust","parent_ods_code":"Q9B","dspt_category":2}"#
            try await app.send(.PUT, "/api/v1/organisations/T91", headers: jsonHeaders(), body: ByteBuffer(string: move)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.json()["parent_ods_code"] as? String, "Q9B")
                XCTAssertEqual(try res.json()["dspt_category"] as? Int, 2)
            }
            let rename = #"{"ods_code":"T99","name":"x","type":"trust","parent_ods_code":"Q9B"}"#
            try await app.send(.PUT, "/api/v1/organisations/T91", headers: jsonHeaders(), body: ByteBuffer(string: rename)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("ods_code"))
            }
        }
    }

    func testInvalidInputIsRejectedNamingTheFieldAndWritesNothing() async throws {
        try await withAssure(demo: true) { app in
            let before = try await organisationCount(app)
            let cases: [(String, HTTPStatus, String)] = [
                (#"{"ods_code":"R!1","name":"A","type":"trust","parent_ods_code":"Q9A"}"#, .unprocessableEntity, "ods_code"),
                (#"{"ods_code":"A12","name":"A","type":"gp-practice","parent_ods_code":"Q9A"}"#, .unprocessableEntity, "ods_code"),
                (#"{"ods_code":"T98","name":"","type":"trust","parent_ods_code":"Q9A"}"#, .unprocessableEntity, "name"),
                (#"{"ods_code":"T98","name":"A","type":"hospital","parent_ods_code":"Q9A"}"#, .unprocessableEntity, "type"),
                (#"{"ods_code":"T98","name":"A","type":"trust","parent_ods_code":"QZZ"}"#, .unprocessableEntity, "parent_ods_code"),
                (#"{"ods_code":"T98","name":"A","type":"trust","parent_ods_code":"Y99"}"#, .unprocessableEntity, "parent_ods_code"),
                (#"{"ods_code":"T98","name":"A","type":"trust","parent_ods_code":"Q9A","dspt_category":7}"#, .unprocessableEntity, "dspt_category"),
                (#"{"ods_code":"T98","name":"A","type":"trust","parent_ods_code":"Q9A","dspt_category":"one"}"#, .badRequest, "dspt_category"),
                (#"{"ods_code":"T98","type":"trust"}"#, .badRequest, "name"),
                (#"{"ods_code":"T91","name":"Duplicate","type":"trust","parent_ods_code":"Q9A"}"#, .conflict, "ods_code"),
                (#"{"ods_code":"T98","name":"A","#, .badRequest, "not valid JSON"),
            ]
            for (body, status, mention) in cases {
                try await app.send(.POST, "/api/v1/organisations", headers: jsonHeaders(), body: ByteBuffer(string: body)) { res async throws in
                    XCTAssertEqual(res.status, status, body)
                    XCTAssertEqual(res.headers.contentType?.description, "application/problem+json", body)
                    XCTAssertTrue(res.text.contains(mention), "\(body) → \(res.text)")
                }
            }
            let after = try await organisationCount(app)
            XCTAssertEqual(before, after)
        }
    }

    func testAParentThatWouldCreateACycleIsRejected() async throws {
        try await withAssure(demo: true) { app in
            // Q9A's practice Z99001 cannot become Q9A's parent, nor can Q9A sit under itself.
            for parent in ["Z99001", "Q9A"] {
                let body = #"{"name":"NHS Avalon North Integrated Care Board","type":"icb","parent_ods_code":"\#(parent)"}"#
                try await app.send(.PUT, "/api/v1/organisations/Q9A", headers: jsonHeaders(), body: ByteBuffer(string: body)) { res async throws in
                    XCTAssertEqual(res.status, .unprocessableEntity)
                    XCTAssertTrue(res.text.contains("cycle"), res.text)
                    XCTAssertTrue(res.text.contains("parent_ods_code"))
                }
            }
            try await app.send(.GET, "/api/v1/organisations/Q9A") { res async throws in
                XCTAssertEqual(try res.json()["parent_ods_code"] as? String, "Y99")
            }
        }
    }

    func testChangingTypeMustStillFitItsChildren() async throws {
        try await withAssure(demo: true) { app in
            let body = #"{"name":"Avalon North","type":"csu","parent_ods_code":"Y99"}"#
            try await app.send(.PUT, "/api/v1/organisations/Q9A", headers: jsonHeaders(), body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("\"field\":\"type\""), res.text)
            }
        }
    }

    func testProtocolErrors() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.GET, "/api/v1/organisations/NOPE") { res async throws in
                XCTAssertEqual(res.status, .notFound)
                XCTAssertEqual(res.headers.contentType?.description, "application/problem+json")
                XCTAssertEqual(try res.json()["status"] as? Int, 404)
            }
            try await app.send(.POST, "/api/v1/organisations", headers: ["Content-Type": "text/plain"], body: ByteBuffer(string: "name=x")) { res async throws in
                XCTAssertEqual(res.status, .unsupportedMediaType)
            }
            // The size limit applies while the body streams in, so this needs the real server.
            let huge = #"{"ods_code":"T98","name":""# + String(repeating: "x", count: 1_100_000) + #"","type":"trust"}"#
            try await app.testable(method: .running(hostname: "127.0.0.1", port: 0))
                .test(.POST, "/api/v1/organisations", headers: jsonHeaders(), body: ByteBuffer(string: huge)) { res async throws in
                    XCTAssertEqual(res.status, .payloadTooLarge)
                    XCTAssertEqual(res.headers.contentType?.description, "application/problem+json")
                }
            for query in ["limit=0", "limit=abc", "offset=-1", "type=castle"] {
                try await app.send(.GET, "/api/v1/organisations?\(query)") { res async throws in
                    XCTAssertTrue((400..<500).contains(res.status.code), query)
                    let field = String(query.prefix { $0 != "=" })
                    XCTAssertTrue(res.text.contains(field), "\(query) → \(res.text)")
                }
            }
        }
    }
}
