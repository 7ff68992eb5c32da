import AssureCore
import Fluent
import XCTVapor
@testable import AssureApp

/// The evidence library: uploads kept by SHA-256 under the data directory, refused when too large,
/// of a disallowed type or named with a path; links; approval; attaching once to many items.
final class EvidenceTests: XCTestCase {
    static func upload(name: String, data: Data, fields: [String: String] = [:]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            buffer.writeString("--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n")
        }
        buffer.writeString("--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        buffer.writeBytes(data)
        buffer.writeString("\r\n--\(Multipart.boundary)--\r\n")
        return buffer
    }

    func withEvidence(maxBytes: Int = 25 * 1_048_576, _ test: (Application, TestCredentials, String) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "assure-evidence-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withAssure(demo: true, configuring: { $0.dataDirectory = directory; $0.evidenceMaxBytes = maxBytes }) { app in
            try await seedDemoTrust(app)
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            try await test(app, lead, directory)
        }
    }

    func storedFiles(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory + "/evidence")?.allObjects as? [String] ?? []).filter { $0.count > 60 }
    }

    func testAnUploadIsKeptOnceByItsDigestAndDownloadsAsUploaded() async throws {
        try await withEvidence { app, lead, directory in
            let pdf = Data("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)
            try await app.send(.POST, "/organisations/T91/evidence/upload", headers: Multipart.headers,
                               body: Self.upload(name: "Information governance policy.pdf", data: pdf, fields: ["review_by": "2027-03-31"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T91/evidence/E1")
            }
            try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: ["Content-Type": "multipart/form-data; boundary=\(Multipart.boundary)"],
                               body: Self.upload(name: "copy.pdf", data: pdf, fields: ["title": "The same policy again"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .created)
                XCTAssertEqual(try res.json()["reference"] as? String, "E2")
            }
            let digest = EvidenceStore.digest(pdf)
            XCTAssertEqual(storedFiles(directory), ["\(digest.prefix(2))/\(digest)"], "one file for two uploads of the same contents")
            try await app.send(.GET, "/organisations/T91/evidence/E1/file", as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(Data(res.body.readableBytesView), pdf)
                XCTAssertEqual(res.headers.contentType?.description, "application/pdf")
                XCTAssertTrue(res.headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"Information governance policy.pdf\"") == true)
            }
            let evidence = try await XCTUnwrapAsync(try await Evidence.query(on: app.db).filter(\.$number == 1).first())
            XCTAssertEqual(evidence.title, "Information governance policy.pdf", "the file name when no title is given")
            XCTAssertEqual(evidence.ownerEmail, lead.email)
            XCTAssertEqual(evidence.approvalStatus, .awaitingApproval)
        }
    }

    func testBadUploadsAreRefusedByNameAndWriteNothing() async throws {
        try await withEvidence(maxBytes: 1_048_576) { app, lead, directory in
            let cases: [(String, Data, String)] = [
                ("../../etc/passwd.txt", Data("x".utf8), "contains a path"),
                ("..\\policy.pdf", Data("%PDF-".utf8), "contains a path"),
                ("setup.exe", Data("MZ".utf8), "'.exe' files are not accepted"),
                ("policy.pdf", Data("MZ this is not a PDF".utf8), "its contents are not a PDF file"),
                ("big.txt", Data(repeating: 65, count: 1_048_577), "evidence files may be up to 1.0 MB"),
                ("empty.txt", Data(), "The file is empty"),
            ]
            for (name, data, message) in cases {
                try await app.send(.POST, "/organisations/T91/evidence/upload", headers: Multipart.headers,
                                   body: Self.upload(name: name, data: data, fields: ["review_by": "2027-13-01"]), as: .some(lead)) { res async throws in
                    XCTAssertEqual(res.status, .unprocessableEntity, name)
                    XCTAssertTrue(res.text.contains(message), "\(name): \(message)")
                    XCTAssertTrue(res.text.contains("href=\"#upload-review_by\""), "the bad date is named too")
                }
            }
            try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: ["Content-Type": "multipart/form-data; boundary=\(Multipart.boundary)"],
                               body: Self.upload(name: "../x.pdf", data: Data("%PDF-".utf8)), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("\"field\":\"file\""))
            }
            // A closing boundary and no parts (schemathesis found it) is the sender's mistake, not a fault.
            for path in ["/api/v1/organisations/T91/evidence", "/organisations/T91/evidence/upload"] {
                try await app.send(.POST, path, headers: ["Content-Type": "multipart/form-data; boundary=\(Multipart.boundary)"],
                                   body: ByteBuffer(string: "--\(Multipart.boundary)--\r\n"), as: .some(lead)) { res async throws in
                    XCTAssertEqual(res.status.code / 100, 4, "\(path): \(res.status)")
                }
            }
            let count = try await Evidence.query(on: app.db).count()
            XCTAssertEqual(count, 0)
            XCTAssertEqual(storedFiles(directory), [])
        }
    }

    func testLinksApprovalAndExpiryViews() async throws {
        try await withEvidence { app, lead, _ in
            try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"title":"","url":"javascript:alert(1)","review_by":"2026-02-30"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                for field in ["title", "url", "review_by"] { XCTAssertTrue(res.text.contains("\"field\":\"\(field)\""), field) }
            }
            let today = app.clock.today
            for (title, days) in [("Expired certificate", -1), ("Policy due soon", 10), ("Current policy", 200)] {
                try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: jsonHeaders(),
                                   body: ByteBuffer(string: #"{"title":"\#(title)","url":"https://intranet.example.nhs.uk/\#(days)","review_by":"\#(today.adding(days: days))"}"#),
                                   as: .some(lead)) { res async throws in
                    XCTAssertEqual(res.status, .created)
                }
            }
            for (view, expected) in [("expired", ["Expired certificate"]), ("expiring-soon", ["Policy due soon"]), ("current", ["Current policy"])] {
                try await app.send(.GET, "/api/v1/organisations/T91/evidence?currency=\(view)", as: .some(lead)) { res async throws in
                    let titles = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]).compactMap { $0["title"] as? String }
                    XCTAssertEqual(titles, expected, view)
                }
            }
            try await app.send(.GET, "/organisations/T91/evidence?show=expired", as: .some(lead)) { res async throws in
                XCTAssertTrue(res.text.contains("Expired certificate"))
                XCTAssertFalse(res.text.contains("Current policy"))
            }
            try await app.send(.POST, "/api/v1/organisations/T91/evidence/E1/approval", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"approval":"approved"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "the owner cannot approve their own evidence")
            }
            let siro = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "siro@kingsmere.example")
            try await app.send(.POST, "/api/v1/organisations/T91/evidence/E1/approval", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"approval":"approved"}"#), as: .some(siro)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.json()["approved_by"] as? String, siro.email)
            }
        }
    }

    func testEvidenceIsAttachedOnceAndCitedAcrossFrameworks() async throws {
        try await withEvidence { app, lead, _ in
            try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"title":"Vulnerability scan report","url":"https://intranet.example.nhs.uk/scan"}"#), as: .some(lead))
            // A1 is the DSPT (CAF-aligned), A3 the NCSC CAF 3.2: B4.d in one is B4.d in the other.
            for assessment in ["A1", "A3"] {
                try await app.send(.POST, "/api/v1/organisations/T91/assessments/\(assessment)/items/B4.d/evidence", headers: jsonHeaders(),
                                   body: ByteBuffer(string: #"{"evidence":"E1"}"#), as: .some(lead)) { res async throws in
                    XCTAssertEqual(res.status, .created)
                }
            }
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A1/items/B4.d/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"evidence":"E1"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .conflict)
            }
            for (body, status) in [(#"{"evidence":"E99"}"#, HTTPStatus.unprocessableEntity), (#"{"evidence":""}"#, .unprocessableEntity)] {
                try await app.send(.POST, "/api/v1/organisations/T91/assessments/A1/items/B4.d/evidence", headers: jsonHeaders(),
                                   body: ByteBuffer(string: body), as: .some(lead)) { res async throws in
                    XCTAssertEqual(res.status, status, body)
                }
            }
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A1/items/Z9.z/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"evidence":"E1"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .notFound)
            }
            try await app.send(.GET, "/api/v1/organisations/T91/evidence/E1", as: .some(lead)) { res async throws in
                XCTAssertEqual(try res.json()["supports"] as? [String], ["A1 B4.d", "A3 B4.d"])
            }
            try await app.send(.GET, "/api/v1/organisations/T91/assessments/A1", as: .some(lead)) { res async throws in
                let items = try XCTUnwrap(try res.json()["items"] as? [[String: Any]])
                let b4d = try XCTUnwrap(items.first { $0["id"] as? String == "B4.d" })
                XCTAssertEqual(b4d["evidence"] as? Int, 1)
                let mapped = try XCTUnwrap(b4d["mapped"] as? [[String: Any]])
                XCTAssertTrue(mapped.contains { $0["framework"] as? String == "ncsc-caf@3.2" && $0["assessment"] as? String == "A3" && $0["level"] as? String == "not-achieved" })
            }
            try await app.send(.GET, "/organisations/T91/assessments/A3/items/B4.d", as: .some(lead)) { res async throws in
                XCTAssertTrue(res.text.contains("The same requirement in other frameworks"))
                XCTAssertTrue(res.text.contains("Cyber Essentials"), "CAF B4.d maps to Cyber Essentials patching")
            }
            try await app.send(.DELETE, "/api/v1/organisations/T91/assessments/A3/items/B4.d/evidence/E1", as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .noContent)
            }
            let links = try await EvidenceAttachment.query(on: app.db).count()
            XCTAssertEqual(links, 1)
            let actions = try await auditEntries(app).filter { $0.entityType == "evidence" }.map(\.action)
            XCTAssertEqual(actions, ["create", "attach", "attach", "detach"])
        }
    }

    func testAnotherOrganisationCannotReadOrChangeEvidence() async throws {
        try await withEvidence { app, lead, _ in
            try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"title":"Pen test report","url":"https://intranet.example.nhs.uk/pentest"}"#), as: .some(lead))
            let other = try await TestCredentials.make(role: .manager, organisation: "T94", on: app, email: "ig@castledowns.example")
            for path in ["/organisations/T91/evidence", "/organisations/T91/evidence/E1", "/api/v1/organisations/T91/evidence/E1"] {
                // An organisation one cannot read is not found, so its existence is not revealed.
                try await app.send(.GET, path, as: .some(other)) { res async throws in XCTAssertEqual(res.status, .notFound, path) }
            }
            try await app.send(.POST, "/api/v1/organisations/T94/assessments", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"framework":"ncsc-caf@3.2","period":"2025-26","final_due":"2026-06-30"}"#), as: .some(other))
            try await app.send(.POST, "/api/v1/organisations/T94/assessments/A1/items/A1.a/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"evidence":"E1"}"#), as: .some(other)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "T91's E1 is not in T94's library")
            }
            let links = try await EvidenceAttachment.query(on: app.db).count()
            XCTAssertEqual(links, 0)
        }
    }
}
