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
final class EstateThresholdsFormTests: XCTestCase {
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
}
