import XCTVapor
@testable import AssureApp

final class OrganisationPagesTests: XCTestCase {
    private let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]

    func testTreeShowsTheDemoRegionWithEveryOrganisation() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.GET, "/organisations") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(res.headers.contentType, .html)
                XCTAssertTrue(res.text.contains("29 organisations"))
                XCTAssertTrue(res.text.contains("Avalon Region (demo)"))
                XCTAssertTrue(res.text.contains(#"href="/organisations/Z99020""#))
                XCTAssertTrue(res.text.contains("2 integrated care boards"))
            }
        }
    }

    func testTreeEscapesNames() async throws {
        try await withAssure(demo: true) { app in
            let body = #"{"ods_code":"Z99100","name":"Smith & Jones <Surgery> \"Kings\"","type":"gp-practice","parent_ods_code":"Q9A"}"#
            try await app.send(.POST, "/api/v1/organisations", headers: jsonHeaders(), body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .created)
            }
            try await app.send(.GET, "/organisations") { res async throws in
                XCTAssertTrue(res.text.contains("Smith &amp; Jones &lt;Surgery&gt; &quot;Kings&quot;"), "names are escaped")
                XCTAssertFalse(res.text.contains("<Surgery>"))
            }
        }
    }

    func testEmptyTreeTellsTheUserWhatToDo() async throws {
        try await withAssure { app in
            try await app.send(.GET, "/organisations") { res async throws in
                XCTAssertTrue(res.text.contains("No organisations yet"))
                XCTAssertTrue(res.text.contains(#"href="/organisations/import""#))
            }
        }
    }

    func testSearchFindsByNameAndJumpsStraightToAnExactCode() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.GET, "/organisations?q=surgery") { res async throws in
                XCTAssertTrue(res.text.contains("organisations found"))
                XCTAssertTrue(res.text.contains("Oak Lane Surgery"))
                XCTAssertFalse(res.text.contains("Kingsmere University Hospitals"))
            }
            try await app.send(.GET, "/organisations?q=t93") { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T93")
            }
            try await app.send(.GET, "/organisations?q=zzzz") { res async throws in
                XCTAssertTrue(res.text.contains("No organisations match"))
            }
        }
    }

    func testOverviewShowsFactsBreadcrumbsAndChildren() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.GET, "/organisations/Q9A") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("NHS Avalon North Integrated Care Board"))
                XCTAssertTrue(res.text.contains(#"<nav class="breadcrumbs""#))
                XCTAssertTrue(res.text.contains(#"href="/organisations/Y99""#))
                XCTAssertTrue(res.text.contains("13 organisations"))
                XCTAssertTrue(res.text.contains(#"<div class="org-context">"#))
                XCTAssertTrue(res.text.contains("ODS code Q9A"))
            }
            try await app.send(.GET, "/organisations/Z99001") { res async throws in
                XCTAssertFalse(res.text.contains("Organisations under"), "a GP practice has nothing under it")
            }
            let icb = #"{"ods_code":"Q9C","name":"NHS Avalon East Integrated Care Board","type":"icb","parent_ods_code":"Y99"}"#
            try await app.send(.POST, "/api/v1/organisations", headers: jsonHeaders(), body: ByteBuffer(string: icb)) { res async throws in
                XCTAssertEqual(res.status, .created)
            }
            try await app.send(.GET, "/organisations/Q9C") { res async throws in
                XCTAssertTrue(res.text.contains("Organisations under"))
                XCTAssertTrue(res.text.contains("None yet"), "an empty ICB says what to do next")
            }
        }
    }

    func testUnknownOrganisationGetsAnHTMLNotFoundPage() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.GET, "/organisations/NOPE", headers: ["Accept": "text/html"]) { res async throws in
                XCTAssertEqual(res.status, .notFound)
                XCTAssertEqual(res.headers.contentType, .html)
                XCTAssertTrue(res.text.contains("Page not found"))
                XCTAssertTrue(res.text.contains("Reference: "))
            }
        }
    }

    func testCreateFormAddsAnOrganisationAndRedirects() async throws {
        try await withAssure(demo: true) { app in
            let body = "ods_code=t97&name=Seaview+Hospitals+NHS+Trust&type=trust&parent_ods_code=Q9B&dspt_category=1"
            try await app.send(.POST, "/organisations/new", headers: form, body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T97")
            }
            try await app.send(.GET, "/organisations/T97") { res async throws in
                XCTAssertTrue(res.text.contains("Seaview Hospitals NHS Trust"))
            }
        }
    }

    func testARejectedFormIsShownAgainWithMessagesAndNothingIsWritten() async throws {
        try await withAssure(demo: true) { app in
            let before = try await organisationCount(app)
            let body = "ods_code=X&name=&type=trust&parent_ods_code=Q9B&dspt_category="
            try await app.send(.POST, "/organisations/new", headers: form, body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("There is a problem"))
                XCTAssertTrue(res.text.contains(##"href="#ods_code""##))
                XCTAssertTrue(res.text.contains("Name is required"))
                XCTAssertTrue(res.text.contains("<title>Error: Add an organisation – Assure</title>"))
                XCTAssertTrue(res.text.contains(#"value="Q9B""#), "what was typed is kept")
            }
            let after = try await organisationCount(app)
            XCTAssertEqual(before, after)
        }
    }

    func testEditFormChangesDetailsAndRejectsACycle() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.GET, "/organisations/T92/edit") { res async throws in
                XCTAssertTrue(res.text.contains(#"value="Avonvale Community Health NHS Trust""#))
            }
            let body = "name=Avonvale+Community+Health+NHS+Trust&type=trust&parent_ods_code=Q9B&dspt_category=2"
            try await app.send(.POST, "/organisations/T92/edit", headers: form, body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.GET, "/api/v1/organisations/T92") { res async throws in
                XCTAssertEqual(try res.json()["parent_ods_code"] as? String, "Q9B")
            }
            let cycle = "name=Avalon+Region&type=region&parent_ods_code=Q9A"
            try await app.send(.POST, "/organisations/Y99/edit", headers: form, body: ByteBuffer(string: cycle)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("cycle"))
            }
        }
    }

    func testImportPageUploadsAFileAndListsProblemsByLine() async throws {
        try await withAssure(demo: true) { app in
            try await app.send(.GET, "/organisations/import") { res async throws in
                XCTAssertTrue(res.text.contains(#"enctype="multipart/form-data""#))
            }
            let good = "ods_code,name,type,parent_ods_code,dspt_category\nT97,Seaview NHS Trust,trust,Q9A,1\n"
            try await app.send(.POST, "/organisations/import", headers: Multipart.headers, body: Multipart.body(file: good)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("1 added, 0 updated, 0 unchanged"))
            }
            let bad = "ods_code,name,type,parent_ods_code,dspt_category\nT98,Seaview NHS Trust,trust,NOPE,1\n"
            try await app.send(.POST, "/organisations/import", headers: Multipart.headers, body: Multipart.body(file: bad)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("Line 2, parent_ods_code"))
            }
            try await app.send(.POST, "/organisations/import", headers: Multipart.headers, body: Multipart.body(file: "")) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("Choose a CSV file"))
            }
        }
    }
}

enum Multipart {
    static let boundary = "assure-test-boundary"
    static var headers: HTTPHeaders { ["Content-Type": "multipart/form-data; boundary=\(boundary)", "Accept": "text/html"] }

    static func body(file: String) -> ByteBuffer {
        ByteBuffer(string: """
        --\(boundary)\r
        Content-Disposition: form-data; name="file"; filename="organisations.csv"\r
        Content-Type: text/csv\r
        \r
        \(file)\r
        --\(boundary)--\r

        """)
    }
}
