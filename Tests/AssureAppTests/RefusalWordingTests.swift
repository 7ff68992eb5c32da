import AssureCore
import XCTVapor
@testable import AssureApp

/// Refusals say what to do: a 403 names whom to ask for access, and a 404 for a missing record
/// does not talk about ODS codes.
final class RefusalWordingTests: XCTestCase {
    func testARefusalNamesTheAdministratorsToAskAndANotFoundPageSaysWhatToCheck() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "refused.viewer@assure.test")
            try await app.send(.POST, "/api/v1/organisations/T91/risks", headers: jsonHeaders(), body: ByteBuffer(string: "{}"), as: .some(viewer)) { res async throws in
                XCTAssertEqual(res.status, .forbidden)
                XCTAssertTrue(res.text.contains("To ask for access, contact Tom Baines (organisation administrator for Kingsmere"), res.text)
                XCTAssertTrue(res.text.contains("or your Assure system administrator"), res.text)
            }
            try await app.send(.GET, "/organisations/T91/risks/R-9999", headers: ["Accept": "text/html"], as: .some(viewer)) { res async throws in
                XCTAssertEqual(res.status, .notFound)
                let main = String(res.text.split(separator: "id=\"main\"").last ?? "")
                XCTAssertFalse(main.contains("ODS code"), "a missing risk is not about ODS codes: \(main)")
                XCTAssertTrue(res.text.contains("may have been removed, or you may not have access to it"), res.text)
                XCTAssertTrue(res.text.contains("<summary>Test Viewer</summary>"), "the header still shows who is signed in")
            }
        }
        XCTAssertEqual(AccessContacts.advice([], organisation: "Seaview NHS Trust"), "To ask for access, contact your Assure system administrator.")
        XCTAssertEqual(AccessContacts.advice(["Ann Lee", "Bo Chan", "Cy Dee"], organisation: "Seaview NHS Trust"),
                       "To ask for access, contact Ann Lee, Bo Chan or Cy Dee (organisation administrators for Seaview NHS Trust), or your Assure system administrator.")
    }
}

/// A form that fails is shown again with each message beside its field, as every form is.
final class EstateFormsTests: XCTestCase {
    func testBadThresholdsAreShownBesideTheirFieldsAndGoodOnesAreSaved() async throws {
        try await withAssure(demo: true) { app in
            let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]
            try await app.send(.POST, "/organisations/T91/estate/settings", headers: headers,
                               body: ByteBuffer(string: "known_exploited_percent=abc&unsupported_os_percent=150")) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                let page = ParsedPage(res.text)
                XCTAssertTrue(res.text.contains("error-summary"), "the summary lists the problems")
                let form = try XCTUnwrap(page.forms.first { $0.action.hasSuffix("/estate/settings") })
                let values = Dictionary(form.fields.compactMap { field in field.attributes["name"].map { ($0, field.attributes["value"] ?? "") } }, uniquingKeysWith: { a, _ in a })
                XCTAssertEqual(values["known_exploited_percent"], "abc", "what was typed is kept")
                XCTAssertEqual(values["unsupported_os_percent"], "150")
                for field in ["known_exploited_percent", "unsupported_os_percent"] {
                    XCTAssertTrue(page.elements.contains { $0.attributes["id"] == "\(field)-error" }, "\(field) has its message beside it")
                }
            }
            try await app.send(.POST, "/organisations/T91/estate/settings", headers: headers,
                               body: ByteBuffer(string: "known_exploited_percent=2.5&unsupported_os_percent=10")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            let organisation = try await OrganisationDirectory(database: app.db).require("T91")
            let saved = try await EstateRisk.thresholds(for: organisation.id, on: try app.db.sqlDatabase)
            XCTAssertEqual(saved.knownExploitedPercent, 2.5)
            XCTAssertEqual(saved.unsupportedOSPercent, 10)
        }
    }

    func testARefusedInventoryIsShownBesideTheImportFormWithNothingImported() async throws {
        try await withAssure(demo: true) { app in
            var body = "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\ncsv\r\n"
            body += "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\ndevice_id=Serial\r\n"
            body += "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"devices.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            var bytes = Array(body.utf8) + Array("Serial,hostname,os_name,os_build\nA1,ward-pc,Windows 11 Enterprise,10.0.26100.6899\nA2,".utf8) + [0xE9]
            bytes += Array("cho,Windows 11 Enterprise,10.0.26100.6899\n\r\n--\(Multipart.boundary)--\r\n".utf8)
            try await app.send(.POST, "/organisations/T91/estate/import", headers: Multipart.headers, body: ByteBuffer(bytes: bytes)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                let page = ParsedPage(res.text)
                XCTAssertTrue(page.elements.contains { $0.attributes["id"] == "file-error" }, "the problem is beside the file field")
                XCTAssertTrue(res.text.contains("not UTF-8"), res.text)
                let form = try XCTUnwrap(page.forms.first { $0.action.contains("/estate/import") })
                XCTAssertEqual(form.fields.first { $0.attributes["name"] == "mapping" }?.attributes["value"], "device_id=Serial", "what was typed is kept")
            }
            let devices = try await app.db.sqlDatabase.raw("SELECT COUNT(*) AS n FROM estate_devices WHERE device_key = 'A1'").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(devices, 0, "nothing was imported")
        }
    }
}
