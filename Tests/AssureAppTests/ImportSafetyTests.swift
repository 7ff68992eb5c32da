import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Imports never destroy data by accident: a file that is not UTF-8, a broken stream, an empty
/// or halved export is refused whole, with nothing written, naming the line.
final class ImportSafetyTests: XCTestCase {
    static let header = "device_id,hostname,os_name,os_build,software_name,software_vendor,software_version"

    static func inventory(_ devices: ClosedRange<Int>, chrome: String = "131.0.6778.86") -> String {
        ([header] + devices.map { "DEV-\($0),ws-\($0),Windows 11 Enterprise,10.0.26100.6899,Google Chrome,Google LLC,\(chrome)" }).joined(separator: "\n") + "\n"
    }

    /// The Chrome versions a device's published software set holds, as the pages read them.
    static func chromeVersions(of device: String, _ database: any Database) async throws -> [String] {
        try await database.sqlDatabase.raw("""
            SELECT s.version FROM estate_devices d JOIN estate_software s ON s.organisation_id = d.organisation_id AND s.software_set = d.software_set
            WHERE d.device_key = \(bind: device) ORDER BY s.version
            """).all().map { try $0.decode(column: "version", as: String.self) }
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
            let importer = InventoryImport(context: try await commandContext(organisation.odsCode, on: app))
            let path = NSTemporaryDirectory() + "assure-large-\(UUID().uuidString).csv"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(Self.inventory(1...25_000, chrome: "142.0.7444.60").utf8).write(to: URL(fileURLWithPath: path))
            let seen = SeenMidImport()
            let database = app.db
            _ = try await importer.importCSV(at: path, format: .generic, progress: EachLine { line in
                guard line == 19_999 else { return }
                // Wait here, mid-import, for another writer; the old single transaction would
                // have held SQLite's one writer until the end, and this would time out.
                let done = DispatchSemaphore(value: 0)
                Task {
                    defer { done.signal() }
                    do {
                        try await database.writeTransaction { db in
                            try await AuditTrail.append([AuditContext.command("test", clock: .system).event("probe", "test", "mid-import", organisation: nil)], on: db)
                        }
                        let devices = try await database.sqlDatabase.raw("SELECT COUNT(*) AS n FROM estate_devices").first()?.decode(column: "n", as: Int.self) ?? -1
                        seen.record(wrote: true, devices: devices, software: try await Self.chromeVersions(of: "DEV-1", database))
                    } catch {
                        seen.record(wrote: false, devices: -1)
                    }
                }
                _ = done.wait(timeout: .now() + 60)
            })
            XCTAssertEqual(seen.wrote, true, "another write went through in the middle of the import")
            XCTAssertEqual(seen.devices, 1000, "and the estate it could read was still the one before the import")
            XCTAssertEqual(seen.software, ["131.0.6778.86"], "with each device's software as it was, though the new sets were being written")
            let staged = try await app.db.sqlDatabase.raw("SELECT COUNT(*) AS n FROM estate_staging_devices").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(staged, 0, "the staging rows are cleared once published")
            let devices = try await deviceCount(app)
            XCTAssertEqual(devices, 25_000)
            let after = try await Self.chromeVersions(of: "DEV-1", app.db)
            XCTAssertEqual(after, ["142.0.7444.60"], "published, the device has its new software and only that")
            let rows = try await app.db.sqlDatabase.raw("SELECT COUNT(*) AS n FROM estate_software").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(rows, 25_000, "the sets devices no longer point to are removed")
        }
    }

    /// Software left by an import that stopped half way (rows in a set no device points to) is
    /// never read, and goes at the organisation's next import; a set of an import under way stays.
    func testSoftwareNoDevicePointsToIsNeverReadAndGoesAtTheNextImport() async throws {
        try await withAssure(demo: true) { app in
            let (status, text) = try await importAPI(app, Array(Self.inventory(1...10).utf8))
            XCTAssertEqual(status, .ok, text)
            let organisation = try await OrganisationDirectory(database: app.db).require("T91")
            let sql = try app.db.sqlDatabase
            let leftOver = UUID(), underWay = UUID(), staging = UUID()
            for set in [leftOver, underWay] {
                try await sql.insert(into: "estate_software").columns("software_set", "organisation_id", "name", "vendor", "version")
                    .values(SQLBind(set), SQLBind(organisation.id), SQLBind("Google Chrome"), SQLBind("Google LLC"), SQLBind("1.0")).run()
            }
            try await sql.insert(into: EstateStaging.devices)
                .columns(["staging_id", "organisation_id"] + InventoryImport.Batch.deviceColumns)
                .values([SQLBind(staging), SQLBind(organisation.id), SQLBind(UUID()), SQLBind(underWay), SQLBind("DEV-X"), SQLBind("ws-x"), SQLBind("desktop"),
                         SQLBind("Windows 11 Enterprise"), SQLBind("10.0.26100.6899"), SQLBind(""), SQLBind(""), SQLBind("medium"), SQLBind(false),
                         SQLBind(String?.none), SQLBind("generic"), SQLBind(Date())]).run()
            let versions = try await Self.chromeVersions(of: "DEV-1", app.db)
            XCTAssertEqual(versions, ["131.0.6778.86"], "a set no device points to is not read")
            try await app.send(.GET, "/api/v1/organisations/T91/estate/devices/DEV-1") { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertFalse(res.body.string.contains("\"1.0\""), res.body.string)
            }
            let unmapped = try await EstateQueries.unmapped(of: organisation.id, mapping: TitleMapping([]), on: sql).map { "\($0.name) \($0.devices)" }
            XCTAssertEqual(unmapped, ["Google Chrome 10"], "counts devices through the sets they point to")

            let (again, message) = try await importAPI(app, Array(Self.inventory(1...10).utf8))
            XCTAssertEqual(again, .ok, message)
            let sets = try await sql.raw("SELECT DISTINCT software_set FROM estate_software").all().map { try $0.decode(column: "software_set", as: UUID.self) }
            XCTAssertFalse(sets.contains(leftOver), "the left-over set is removed by the next import")
            XCTAssertTrue(sets.contains(underWay), "the set of an import under way is kept")
            XCTAssertEqual(sets.count, 11)
        }
    }

    /// `KeepSoftwareInSets` moves each device's software into a set of its own and back.
    func testSoftwareMovesIntoSetsAndBackWithEveryDeviceKeepingItsOwn() async throws {
        try await withAssure(demo: true) { app in
            let (status, text) = try await importAPI(app, Array(Self.inventory(1...20).utf8))
            XCTAssertEqual(status, .ok, text)
            try await KeepSoftwareInSets().revert(on: app.db)
            let sql = try app.db.sqlDatabase
            let byDevice = try await sql.raw("""
                SELECT d.device_key FROM estate_software s JOIN estate_devices d ON d.id = s.device_id WHERE s.version = '131.0.6778.86' ORDER BY d.device_key
                """).all().map { try $0.decode(column: "device_key", as: String.self) }
            XCTAssertEqual(byDevice.count, 20, "reverted, each device has its own software row again")
            try await KeepSoftwareInSets().prepare(on: app.db)
            for device in ["DEV-1", "DEV-20"] {
                let versions = try await Self.chromeVersions(of: device, app.db)
                XCTAssertEqual(versions, ["131.0.6778.86"], device)
            }
            let (again, message) = try await importAPI(app, Array(Self.inventory(1...20, chrome: "142.0.7444.60").utf8))
            XCTAssertEqual(again, .ok, message)
            let versions = try await Self.chromeVersions(of: "DEV-20", app.db)
            XCTAssertEqual(versions, ["142.0.7444.60"])
            let rows = try await sql.raw("SELECT COUNT(*) AS n FROM estate_software").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(rows, 20)
        }
    }
}

/// What the mid-import probe saw, set from another task.
final class SeenMidImport: @unchecked Sendable {
    private let lock = NSLock()
    private var values: (wrote: Bool?, devices: Int?, software: [String]) = (nil, nil, [])
    func record(wrote: Bool, devices: Int, software: [String] = []) { lock.withLock { values = (wrote, devices, software) } }
    var wrote: Bool? { lock.withLock { values.wrote } }
    var devices: Int? { lock.withLock { values.devices } }
    var software: [String] { lock.withLock { values.software } }
}

/// Calls back with each progress figure an import reports.
struct EachLine: JobProgress {
    let body: @Sendable (Int) -> Void
    init(_ body: @escaping @Sendable (Int) -> Void) { self.body = body }
    func begin(_ stage: String, total: Int?) {}
    func update(_ done: Int) { body(done) }
}
