import AssureCore
import XCTVapor
@testable import AssureApp

/// What every response tells the browser: no copies kept of signed-in pages or API answers, a
/// session cookie that dies with the browser, and the right status for a method pages never take.
final class ResponseHeadersTests: XCTestCase {
    func testSignedInPagesAndTheAPIAreNeverStored() async throws {
        try await withAssure(demo: true) { app in
            for path in ["/organisations/T91", "/api/v1/organisations/T91", "/account"] {
                try await app.send(.GET, path) { res async throws in
                    XCTAssertEqual(res.status, .ok, path)
                    XCTAssertEqual(res.headers.first(name: .cacheControl), "no-store", path)
                }
            }
            try await app.send(.GET, "/api/v1/organisations/T91", as: .some(nil)) { res async throws in
                XCTAssertEqual(res.status, .unauthorized)
                XCTAssertEqual(res.headers.first(name: .cacheControl), "no-store")
            }
            try await app.send(.GET, SiteURL.stylesheet.path, as: .some(nil)) { res async throws in
                XCTAssertEqual(res.headers.first(name: .cacheControl), "public, max-age=31536000, immutable", "the fingerprinted stylesheet may be kept")
            }
        }
    }

    func testTheSessionCookieLastsOnlyAsLongAsTheBrowser() async throws {
        try await withAssure(demo: true) { app in
            _ = try await DemoSeeder.seedPeople(on: app)
            var formToken = ""
            try await app.test(.GET, "/sign-in") { res async throws in formToken = res.headers.setCookie?[SignInPage.formCookie]?.string ?? "" }
            try await app.test(.POST, "/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(SignInPage.formCookie)=\(formToken)"],
                               body: ByteBuffer(string: "email=admin%40avalon.example&password=avalon+demo+passphrase&form_token=\(formToken)")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                let header = res.headers[.setCookie].first { $0.hasPrefix(SessionCookie.name + "=") } ?? ""
                XCTAssertFalse(header.isEmpty)
                XCTAssertFalse(header.lowercased().contains("max-age"), header)
                XCTAssertFalse(header.lowercased().contains("expires"), header)
                XCTAssertTrue(header.contains("HttpOnly") && header.contains("SameSite=Strict"), header)
            }
        }
    }

    func testPagesAnswerOtherMethodsWith405() async throws {
        try await withAssure(demo: true) { app in
            for method in [HTTPMethod.PUT, .DELETE, .PATCH] {
                try await app.send(method, "/organisations/T91", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: "name=x")) { res async throws in
                    XCTAssertEqual(res.status, .methodNotAllowed, "\(method)")
                    XCTAssertEqual(res.headers.first(name: .allow), "GET, HEAD", "\(method)")
                }
            }
        }
    }
}
