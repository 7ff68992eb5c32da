import AssureCore
import Foundation
import XCTVapor
@testable import AssureApp
#if canImport(Glibc)
import Glibc
#endif

/// A page upload is refused before its file is read when the person may not upload or the form
/// token is wrong: the token travels in the form's address, and the route reads the body only
/// after checking permission. Proven over a real socket with a body that never arrives: a server
/// that read it first would wait for it, and the socket's read would time out.
final class UploadAuthorisationTests: XCTestCase {
    func testAPageUploadIsRefusedBeforeItsFileIsReadWhenThePersonMayNotUpload() async throws {
        try await withAssure(demo: true) { app in
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "viewer@assure.test")
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            defer { Task { await app.server.shutdown() } }
            let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
            for path in ["/organisations/T91/evidence/upload", "/organisations/T91/estate/import", "/organisations/T91/risks/import", "/organisations/import"] {
                let answer = try Self.postWithoutBody(port: port, path: path + "?csrf_token=\(viewer.csrf)", cookie: "\(SessionCookie.name)=\(viewer.session)")
                XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403"), "\(path): \(answer.prefix(200))")
            }
            // Someone who may upload but whose form carries no token (a cross-site post) is refused the same way.
            let admin = try XCTUnwrap(app.storage[TestCredentialsKey.self])
            let answer = try Self.postWithoutBody(port: port, path: "/organisations/T91/evidence/upload", cookie: "\(SessionCookie.name)=\(admin.session)")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403"), String(answer.prefix(200)))
            XCTAssertTrue(answer.contains("Form expired"), String(answer.prefix(600)))
        }
    }

    func testTheUploadFormsCarryTheTokenInTheirAddressAndTheTokenInTheBodyAloneIsRefused() async throws {
        try await withAssure(demo: true) { app in
            let admin = try XCTUnwrap(app.storage[TestCredentialsKey.self])
            for page in ["/organisations/T91/evidence", "/organisations/T91/estate", "/organisations/T91/risks/import", "/organisations/import"] {
                try await app.send(.GET, page, headers: ["Accept": "text/html"]) { res async throws in
                    XCTAssertEqual(res.status, .ok, page)
                    let forms = ParsedPage(res.text).forms.filter { $0.enctype.hasPrefix("multipart") }
                    XCTAssertEqual(forms.count, 1, page)
                    XCTAssertTrue(forms.first?.action.hasSuffix("?csrf_token=\(admin.csrf)") ?? false, "\(page): \(forms.first?.action ?? "")")
                }
            }
            var headers = Multipart.headers
            headers.add(name: .cookie, value: "\(SessionCookie.name)=\(admin.session)")
            let csv = "ods_code,name,type,parent_ods_code,dspt_category\nT97,Seaview NHS Trust,trust,Q9A,1\n"
            let body = "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(admin.csrf)\r\n"
                + String(buffer: Multipart.body(file: csv))
            try await app.test(.POST, "/organisations/import", headers: headers, body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .forbidden, "an upload's token is read from its address only")
            }
            try await app.test(.POST, "/organisations/import?csrf_token=\(admin.csrf)", headers: headers, body: Multipart.body(file: csv)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.text)
                XCTAssertTrue(res.text.contains("1 added"), res.text)
            }
        }
    }

    /// Sends a multipart POST's head announcing 50 MB, then a few bytes and nothing more, and returns
    /// what the server answers within 20 seconds ("" if nothing).
    static func postWithoutBody(port: Int, path: String, cookie: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\nAccept: text/html\r\n"
            + "Content-Type: multipart/form-data; boundary=\(Multipart.boundary)\r\nContent-Length: 52428800\r\n\r\n--\(Multipart.boundary)\r\n"
        _ = head.withCString { send(fd, $0, strlen($0), 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[0..<count]
            if let text = String(bytes: received, encoding: .utf8), text.contains("</html>") || text.contains("\r\n\r\n{") { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
