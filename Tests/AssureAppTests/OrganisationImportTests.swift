import XCTVapor
import AssureCore
import AssureDemo
@testable import AssureApp

final class OrganisationImportTests: XCTestCase {
    private let csvHeaders: HTTPHeaders = ["Content-Type": "text/csv", "Accept": "application/json"]

    func testImportsAFileWhoseParentsComeLaterAndIsIdempotent() async throws {
        try await withAssure { app in
            let csv = """
            ods_code,name,type,parent_ods_code,dspt_category
            A81001,"Riverside Surgery, North",gp-practice,QZ1,3
            RZ1,Northfield Hospitals NHS Trust,trust,QZ1,1
            QZ1,NHS Northfield ICB,icb,Y56,1
            Y56,London,region,,

            """
            try await app.send(.POST, "/api/v1/organisations/import", headers: csvHeaders, body: ByteBuffer(string: csv)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.text)
                XCTAssertEqual(try res.json()["inserted"] as? Int, 4)
            }
            try await app.send(.GET, "/api/v1/organisations/A81001") { res async throws in
                XCTAssertEqual(try res.json()["name"] as? String, "Riverside Surgery, North")
                XCTAssertEqual(try res.json()["parent_ods_code"] as? String, "QZ1")
            }
            let again = csv.replacingOccurrences(of: "NHS Northfield ICB", with: "NHS Northfield Integrated Care Board")
            try await app.send(.POST, "/api/v1/organisations/import", headers: csvHeaders, body: ByteBuffer(string: again)) { res async throws in
                let json = try res.json()
                XCTAssertEqual(json["inserted"] as? Int, 0)
                XCTAssertEqual(json["updated"] as? Int, 1)
                XCTAssertEqual(json["unchanged"] as? Int, 3)
            }
        }
    }

    func testABadFileReportsEveryLineAndFieldAndImportsNothing() async throws {
        try await withAssure(demo: true) { app in
            let before = try await organisationCount(app)
            let csv = """
            ods_code,name,type,parent_ods_code,dspt_category
            T97,Good Trust,trust,Q9A,1
            T98,,trust,Q9A,1
            T99,Orphan Trust,trust,QQQ,1
            Z99100,Practice,gp-practice,Q9A,9
            T97,Again,trust,Q9A,1
            9,Short,trust,Q9A,1
            """
            try await app.send(.POST, "/api/v1/organisations/import", headers: csvHeaders, body: ByteBuffer(string: csv)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                let problems = try XCTUnwrap(try res.json()["problems"] as? [[String: Any]])
                let found = Set(problems.map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" })
                XCTAssertEqual(found, ["3:name", "4:parent_ods_code", "5:dspt_category", "6:ods_code", "7:ods_code"])
            }
            let after = try await organisationCount(app)
            XCTAssertEqual(before, after, "nothing is imported when any row is bad")
        }
    }

    func testHeaderAndShapeProblems() async throws {
        try await withAssure { app in
            let cases: [(String, String)] = [
                ("", "empty"),
                ("ods_code,name,type\nY56,London,region", "parent_ods_code"),
                ("ods_code,name,type,parent_ods_code,dspt_category,colour\nY56,London,region,,,blue", "colour"),
                ("ods_code,name,type,parent_ods_code,dspt_category\nY56,London,region", "fields"),
                ("ods_code,name,type,parent_ods_code,dspt_category\n", "no organisations"),
            ]
            for (csv, mention) in cases {
                try await app.send(.POST, "/api/v1/organisations/import", headers: csvHeaders, body: ByteBuffer(string: csv)) { res async throws in
                    XCTAssertEqual(res.status, .unprocessableEntity, csv)
                    XCTAssertTrue(res.text.contains(mention), "\(csv) → \(res.text)")
                }
            }
            try await app.send(.POST, "/api/v1/organisations/import", headers: jsonHeaders(), body: ByteBuffer(string: "{}")) { res async throws in
                XCTAssertEqual(res.status, .unsupportedMediaType)
            }
            let count = try await organisationCount(app)
            XCTAssertEqual(count, 0)
        }
    }

    func testTheNationalDemoTreeImportsInOneGo() async throws {
        try await withAssure { app in
            let summary = try await DemoSeeder.seed(DemoOrganisations.national(), on: app)
            XCTAssertEqual(summary.inserted, 7 + 42 + 220 + 6_300)
            let again = try await DemoSeeder.seed(DemoOrganisations.national(), on: app)
            XCTAssertEqual(again.unchanged, 6_569)
            try await app.send(.GET, "/api/v1/organisations/Q10/children") { res async throws in
                XCTAssertEqual(try res.json()["total"] as? Int, 6 + 150)
            }
        }
    }
}
