import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Imports never destroy data by accident: a file that is not UTF-8, a broken stream, an empty
/// or halved export is refused whole, with nothing written, naming the line.
final class ImportSafetyTests: XCTestCase {
    static let header = "device_id,hostname,os_name,os_build,software_name,software_vendor,software_version"

    static func inventory(_ devices: ClosedRange<Int>) -> String {
        ([header] + devices.map { "DEV-\($0),ws-\($0),Windows 11 Enterprise,10.0.26100.6899,Google Chrome,Google LLC,131.0.6778.86" }).joined(separator: "\n") + "\n"
    }

    func deviceCount(_ app: Application) async throws -> Int {
        try await app.db.sqlDatabase.raw("SELECT COUNT(*) AS n FROM estate_devices").first()?.decode(column: "n", as: Int.self) ?? -1
    }

    func importAPI(_ app: Application, _ body: [UInt8], query: String = "") async throws -> (HTTPStatus, String) {
        var result: (HTTPStatus, String) = (.ok, "")
        try await app.send(.POST, "/api/v1/organisations/T91/estate/import?format=csv\(query)", headers: ["Content-Type": "text/csv"],
                           body: ByteBuffer(bytes: body)) { res async throws in result = (res.status, res.body.string) }
        return result
    }

    func testBrokenEmptyHalvedAndMisencodedInventoriesChangeNothing() async throws {
        try await withAssure(demo: true) { app in
            var (status, text) = try await importAPI(app, Array(Self.inventory(1...1000).utf8))
            XCTAssertEqual(status, .ok, text)
            var devices = try await deviceCount(app)
            XCTAssertEqual(devices, 1000)
            // Only a header: would remove every device.
            (status, text) = try await importAPI(app, Array((Self.header + "\n").utf8))
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertTrue(text.contains("allow_large_removal"), text)
            // A quote opened on line 11 and never closed.
            var lines = Self.inventory(1...1000).split(separator: "\n").map(String.init)
            lines[10] = #"DEV-10,"ws-10,Windows 11 Enterprise,10.0.26100.6899,Google Chrome,Google LLC,131.0.6778.86"#
            (status, text) = try await importAPI(app, Array((lines.joined(separator: "\n") + "\n").utf8))
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertTrue(text.contains("quote is not closed"), text)
            XCTAssertTrue(text.contains(#""line":11"#), text)
            // An export cut off mid-record, and one cut in half at a line end.
            let whole = Self.inventory(1...1000)
            (status, text) = try await importAPI(app, Array(whole.utf8.prefix(whole.utf8.count / 2)))
            XCTAssertEqual(status, .unprocessableEntity, "cut mid-record")
            (status, text) = try await importAPI(app, Array(Self.inventory(1...500).utf8))
            XCTAssertEqual(status, .unprocessableEntity, "half the devices gone")
            // Latin-1: an é as the single byte 0xE9, past the first 4 KB.
            var latin1 = Array(Self.inventory(1...1000).utf8)
            let at = latin1.indices.filter { latin1[$0] == UInt8(ascii: "w") }[200]
            latin1[at] = 0xE9
            (status, text) = try await importAPI(app, latin1)
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertTrue(text.contains("is not UTF-8"), text)
            let line = latin1[..<at].filter { $0 == 0x0A }.count + 1
            XCTAssertTrue(text.contains(#""line":\#(line)"#) && text.contains("byte \(at + 1) is not UTF-8"), text)
            devices = try await deviceCount(app)
            XCTAssertEqual(devices, 1000, "nothing was removed or half-written")
            // Said plainly, a large removal goes through.
            (status, text) = try await importAPI(app, Array(Self.inventory(1...500).utf8), query: "&allow_large_removal=yes")
            XCTAssertEqual(status, .ok, text)
            devices = try await deviceCount(app)
            XCTAssertEqual(devices, 500)
        }
    }

    func testRiskAndOrganisationImportsRefuseLatin1NamingTheLine() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let before = try await Risk.query(on: app.db).count()
            var csv = Array("Title,Cause,Event,Effect,Category,Owner,Opened,Initial likelihood,Initial consequence,Current likelihood,Current consequence,Target likelihood,Target consequence\n".utf8)
            csv += Array("Caf".utf8) + [0xE9] + Array(" Wi-Fi outage,c,e,f,cyber-security,risk.manager@avalon.example,2026-01-01,3,3,3,3,1,3\n".utf8)
            try await app.send(.POST, "/api/v1/organisations/T91/risks/import?map_title=Title&map_cause=Cause&map_event=Event&map_effect=Effect&map_category=Category&map_owner=Owner&map_opened=Opened",
                               headers: ["Content-Type": "text/csv"], body: ByteBuffer(bytes: csv)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, res.body.string)
                XCTAssertTrue(res.body.string.contains("line 2: byte"), res.body.string)
            }
            let after = try await Risk.query(on: app.db).count()
            XCTAssertEqual(after, before)
            let organisations = try await organisationCount(app)
            let rows = Array("ods_code,name,type,parent_ods_code,dspt_category\nY98,".utf8) + [0x52, 0xE9] + Array("gion,region,,\n".utf8)
            try await app.send(.POST, "/api/v1/organisations/import", headers: ["Content-Type": "text/csv"], body: ByteBuffer(bytes: rows)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, res.body.string)
                XCTAssertTrue(res.body.string.contains("not UTF-8"), res.body.string)
            }
            let organisationsAfter = try await organisationCount(app)
            XCTAssertEqual(organisationsAfter, organisations)
        }
    }

    func testAnUnauthenticatedUploadIsRefusedBeforeItsBodyIsRead() async throws {
        try await withAssure(demo: true) { app in
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            defer { Task { await app.server.shutdown() } }
            let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
            // The route streams its body and reads it only after authorising, so the refusal reads nothing.
            let started = ContinuousClock.now
            let response = try await app.client.post(URI(string: "http://127.0.0.1:\(port)/api/v1/organisations/T91/estate/import?format=csv"),
                                                     headers: ["Content-Type": "text/csv"]) { $0.body = ByteBuffer(repeating: 65, count: 1_048_576) }
            XCTAssertEqual(response.status, .unauthorized)
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(30))
            let folder = TemporaryFiles.directory(app.assureConfiguration)
            XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [], [], "no temporary file is left")
        }
    }

    /// On SQLite a large import commits batch by batch into staging and publishes at the end:
    /// halfway through, another write goes through at once and a reader still sees the old estate.
    func testOnSQLiteOtherWritesProceedDuringALargeImportAndNothingPartialIsVisible() async throws {
        guard TestDatabase.postgresURL == nil else { throw XCTSkip("PostgreSQL locks rows, so its import stays one transaction") }
        try await withAssure(demo: true) { app in
            let (status, text) = try await importAPI(app, Array(Self.inventory(1...1000).utf8))
            XCTAssertEqual(status, .ok, text)
            let organisation = try await OrganisationDirectory(database: app.db).require("T91")
            let importer = InventoryImport(database: app.db, organisation: organisation, audit: .command("test"))
            let path = NSTemporaryDirectory() + "assure-large-\(UUID().uuidString).csv"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(Self.inventory(1...25_000).utf8).write(to: URL(fileURLWithPath: path))
            let seen = SeenMidImport()
            let database = app.db
            _ = try await importer.importCSV(at: path, format: .generic) { line in
                guard line == 19_999 else { return }
                // Wait here, mid-import, for another writer; the old single transaction would
                // have held SQLite's one writer until the end, and this would time out.
                let done = DispatchSemaphore(value: 0)
                Task {
                    defer { done.signal() }
                    do {
                        try await database.writeTransaction { db in
                            try await AuditTrail.append([AuditEvent(actor: "test", organisationCode: nil, action: "probe", entityType: "test", entityID: "mid-import",
                                                                    changes: [:], requestID: nil, clientAddress: nil)], on: db)
                        }
                        let devices = try await database.sqlDatabase.raw("SELECT COUNT(*) AS n FROM estate_devices").first()?.decode(column: "n", as: Int.self) ?? -1
                        seen.record(wrote: true, devices: devices)
                    } catch {
                        seen.record(wrote: false, devices: -1)
                    }
                }
                _ = done.wait(timeout: .now() + 60)
            }
            XCTAssertEqual(seen.wrote, true, "another write went through in the middle of the import")
            XCTAssertEqual(seen.devices, 1000, "and the estate it could read was still the one before the import")
            let staged = try await app.db.sqlDatabase.raw("SELECT COUNT(*) AS n FROM estate_staging_devices").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(staged, 0, "the staging rows are cleared once published")
            let devices = try await deviceCount(app)
            XCTAssertEqual(devices, 25_000)
        }
    }
}

/// What the mid-import probe saw, set from another task.
final class SeenMidImport: @unchecked Sendable {
    private let lock = NSLock()
    private var values: (wrote: Bool?, devices: Int?) = (nil, nil)
    func record(wrote: Bool, devices: Int) { lock.withLock { values = (wrote, devices) } }
    var wrote: Bool? { lock.withLock { values.wrote } }
    var devices: Int? { lock.withLock { values.devices } }
}
