import AssureCore
import Fluent
import XCTVapor
@testable import AssureApp

/// Numbered records created at the same moment through the real HTTP server (on SQLite, and on
/// PostgreSQL in CI): every request succeeds with its own reference, and a file uploaded many
/// times at once is kept once and downloadable from every record.
final class ConcurrentCreateTests: XCTestCase {
    static let count = 50

    func testFiftyConcurrentCreatesOfEachKindGetDistinctReferences() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "concurrent@kingsmere.example")
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            defer { Task { await app.server.shutdown() } }
            let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
            let base = "http://127.0.0.1:\(port)/api/v1/organisations/T91"
            let kinds: [(name: String, path: String, body: @Sendable (Int) -> (HTTPHeaders, ByteBuffer))] = [
                ("risk", "/risks", { n in (jsonHeaders(), ByteBuffer(string: #"{"title":"Concurrent \#(n)","owner":"concurrent@kingsmere.example","cause":"c","event":"e","effect":"f","category":"cyber-security","opened":"2026-01-01","initial_likelihood":2,"initial_consequence":2,"current_likelihood":2,"current_consequence":2,"target_likelihood":1,"target_consequence":2}"#)) }),
                ("objective", "/baf/objectives", { n in (jsonHeaders(), ByteBuffer(string: #"{"title":"Objective \#(n)","lead":"concurrent@kingsmere.example"}"#)) }),
                ("assessment", "/assessments", { n in (jsonHeaders(), ByteBuffer(string: #"{"framework":"cyber-essentials@2025","period":"P\#(n)","final_due":"2026-06-30"}"#)) }),
                ("evidence", "/evidence", { _ in (Multipart.headers, Self.upload()) }),
            ]
            for kind in kinds {
                let results = try await withThrowingTaskGroup(of: (UInt, String?).self) { group in
                    for n in 1...Self.count {
                        group.addTask {
                            var (headers, body) = kind.body(n)
                            headers.bearerAuthorization = BearerAuthorization(token: manager.apiToken)
                            let response = try await app.client.post(URI(string: base + kind.path), headers: headers) { $0.body = body }
                            let json = response.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0.readableBytesView)) as? [String: Any] }
                            // Objectives answer with the whole framework; their reference ends the Location.
                            let location = response.headers.first(name: .location)?.split(separator: "/").last.map(String.init)
                            return (response.status.code, json?["reference"] as? String ?? location)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                XCTAssertEqual(results.map(\.0), Array(repeating: 201, count: Self.count), "\(kind.name): every create succeeds")
                XCTAssertEqual(Set(results.compactMap(\.1)).count, Self.count, "\(kind.name): every reference is distinct")
            }
            // Every evidence record's file is there, though all fifty uploads were the same contents at once.
            for n in 1...Self.count {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = BearerAuthorization(token: manager.apiToken)
                let response = try await app.client.get(URI(string: "\(base)/evidence/E\(n)/file"), headers: headers)
                XCTAssertEqual(response.status, .ok, "E\(n) downloads")
                XCTAssertEqual(response.body.map { String(buffer: $0) }, "the same policy, uploaded by everyone at once\n")
            }
        }
    }

    static func upload() -> ByteBuffer {
        ByteBuffer(string: "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nPolicy\r\n"
            + "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"policy.txt\"\r\nContent-Type: text/plain\r\n\r\n"
            + "the same policy, uploaded by everyone at once\n\r\n--\(Multipart.boundary)--\r\n")
    }
}
