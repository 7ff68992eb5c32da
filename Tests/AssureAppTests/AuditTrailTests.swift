import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

final class AuditTrailTests: XCTestCase {
    private func entries(_ app: Application) async throws -> [AuditEntry] {
        try await AuditTrail.page(after: 0, limit: 100_000, on: app.db as! any SQLDatabase)
    }

    func testChangesAreRecordedWithTheirDifferenceAndTheChainVerifies() async throws {
        try await withAssure(demo: true) { app in
            let seeded = try await entries(app).count
            XCTAssertEqual(seeded, 29, "the demo seed is audited, one entry per organisation")
            let move = #"{"name":"Avonvale Community Health NHS Trust","type":"trust","parent_ods_code":"Q9B","dspt_category":2}"#
            try await app.send(.PUT, "/api/v1/organisations/T92", headers: jsonHeaders(), body: ByteBuffer(string: move)) { res async throws in
                XCTAssertEqual(res.status, .ok)
            }
            let all = try await entries(app)
            let last = try XCTUnwrap(all.last)
            XCTAssertEqual(last.action, "update")
            XCTAssertEqual(last.entityID, "T92")
            XCTAssertEqual(last.organisationCode, "T92")
            XCTAssertEqual(last.actor, "tester@assure.test", "the signed-in person")
            XCTAssertNotNil(last.requestID)
            XCTAssertEqual(last.changes, #"{"dspt_category":{"after":"2","before":"1"},"parent_ods_code":{"after":"Q9B","before":"Q9A"}}"#)
            let verifier = try await AuditTrail.verify(on: app.db)
            XCTAssertNil(verifier.firstBreak)
            XCTAssertEqual(verifier.verified, 30)
        }
    }

    func testRejectedAndEmptyChangesAddNothing() async throws {
        try await withAssure(demo: true) { app in
            let before = try await entries(app).count
            let bad = #"{"name":"","type":"trust","parent_ods_code":"Q9A"}"#
            try await app.send(.PUT, "/api/v1/organisations/T92", headers: jsonHeaders(), body: ByteBuffer(string: bad)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
            }
            let same = #"{"name":"Avonvale Community Health NHS Trust","type":"trust","parent_ods_code":"Q9A","dspt_category":1}"#
            try await app.send(.PUT, "/api/v1/organisations/T92", headers: jsonHeaders(), body: ByteBuffer(string: same)) { res async throws in
                XCTAssertEqual(res.status, .ok)
            }
            let after = try await entries(app).count
            XCTAssertEqual(before, after)
        }
    }

    func testVerifyFindsAnEditedADeletedAndAReorderedEntryInTheDatabase() async throws {
        let tampering: [(String, [SQLQueryString], String)] = [
            ("edited", ["UPDATE audit_entries SET changes = '{}' WHERE sequence = 5"], "entry 5 has been altered"),
            ("deleted", ["DELETE FROM audit_entries WHERE sequence = 7"], "entry 8 does not follow"),
            ("reordered", [
                "UPDATE audit_entries SET sequence = -1 WHERE sequence = 3",
                "UPDATE audit_entries SET sequence = 3 WHERE sequence = 4",
                "UPDATE audit_entries SET sequence = 4 WHERE sequence = -1",
            ], "entry 3 does not follow"),
            ("truncated", ["DELETE FROM audit_entries WHERE sequence > 20"], "removed from the end"),
        ]
        for (name, statements, expected) in tampering {
            try await withAssure(demo: true) { app in
                let sql = app.db as! any SQLDatabase
                for statement in statements { try await sql.raw(statement).run() }
                let verifier = try await AuditTrail.verify(on: app.db, pageSize: 4)
                let found = try XCTUnwrap(verifier.firstBreak, name)
                XCTAssertTrue(found.description.contains(expected), "\(name): \(found)")
            }
        }
    }

    func testConcurrentChangesKeepOneUnbrokenChain() async throws {
        try await withAssure(demo: true) { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 1...12 {
                    group.addTask {
                        let body = #"{"ods_code":"T\#(index < 10 ? "8" : "7")\#(index % 10)","name":"Concurrent \#(index) NHS Trust","type":"trust","parent_ods_code":"Q9A"}"#
                        try await app.send(.POST, "/api/v1/organisations", headers: jsonHeaders(), body: ByteBuffer(string: body)) { res async throws in
                            XCTAssertEqual(res.status, .created, res.text)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let verifier = try await AuditTrail.verify(on: app.db)
            XCTAssertNil(verifier.firstBreak)
            XCTAssertEqual(verifier.verified, 29 + 12)
        }
    }
}

final class AuditTrailPageTests: XCTestCase {
    func testThePageListsFiltersAndExports() async throws {
        try await withAssure(demo: true) { app in
            let move = #"{"name":"Avonvale Community Health NHS Trust","type":"trust","parent_ods_code":"Q9B","dspt_category":2}"#
            try await app.send(.PUT, "/api/v1/organisations/T92", headers: jsonHeaders(), body: ByteBuffer(string: move)) { res async throws in
                XCTAssertEqual(res.status, .ok)
            }
            try await app.send(.GET, "/organisations/T92/audit") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("2 entries"), "the demo seed and the update")
                XCTAssertTrue(res.text.contains("<strong>parent_ods_code</strong>: Q9A → Q9B"))
                XCTAssertTrue(res.text.contains(#"aria-current="page">Audit trail"#))
            }
            try await app.send(.GET, "/organisations/T92/audit?action=update") { res async throws in
                XCTAssertTrue(res.text.contains("1 entry"))
            }
            try await app.send(.GET, "/organisations/T92/audit?from=2001-01-01&to=2001-12-31") { res async throws in
                XCTAssertTrue(res.text.contains("No entries match these filters"))
            }
            try await app.send(.GET, "/organisations/T92/audit?from=yesterday") { res async throws in
                XCTAssertEqual(res.status, .badRequest)
                XCTAssertTrue(res.text.contains("YYYY-MM-DD"))
            }
            try await app.send(.GET, "/organisations/T92/audit.csv?action=update") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(res.headers.contentType?.subType, "csv")
                XCTAssertTrue(res.headers.first(name: .contentDisposition)?.contains("audit-T92-") ?? false)
                let lines = res.text.split(separator: "\n")
                XCTAssertEqual(lines.count, 2)
                XCTAssertTrue(lines[0].hasPrefix("sequence,recorded_at,actor"))
            }
            try await app.send(.GET, "/api/v1/organisations/T92/audit?page=1") { res async throws in
                let json = try res.json()
                XCTAssertEqual(json["total"] as? Int, 2)
                let items = try XCTUnwrap(json["items"] as? [[String: Any]])
                XCTAssertEqual(items.first?["action"] as? String, "update", "newest first")
                XCTAssertEqual((items.first?["hash"] as? String)?.count, 64)
            }
            try await app.send(.GET, "/api/v1/organisations/T92/audit?page=0") { res async throws in
                XCTAssertEqual(res.status, .badRequest)
                XCTAssertTrue(res.text.contains("page"))
            }
        }
    }

    func testCSVCellsCannotRunAsFormulas() {
        XCTAssertEqual(SpreadsheetCSV.neutralised("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")")
        XCTAssertEqual(SpreadsheetCSV.neutralised("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(SpreadsheetCSV.neutralised("Kingsmere"), "Kingsmere")
    }
}
