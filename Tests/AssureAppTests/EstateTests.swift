import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// The estate on a real database: knowledge base imports (good, truncated, invalid, re-imported),
/// inventory imports (CSV formats, mapping, bad rows, upsert, removal, CycloneDX), analysis with
/// the hand-checked CVEs, the one estate risk, compliance checks, alerts, and organisation isolation.
final class EstateTests: XCTestCase {
    func temporary(_ name: String, _ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "assure-estate-\(UUID().uuidString)-\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func count(_ table: String, _ app: Application) async throws -> Int {
        let sql = try XCTUnwrap(app.db as? any SQLDatabase)
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    func testKnowledgeBaseImportsAndReimportsCleanlyAndRefusesBadFeeds() async throws {
        try await withAssure { app in
            try await DemoEstate.loadShippedKnowledge(on: app)
            let nvd = try await count("kb_nvd", app), kev = try await count("kb_kev", app)
            XCTAssertEqual(nvd, 1741, "1,738 subset records and the three hand-checked ones")
            XCTAssertEqual(kev, 1404)
            do { let value = try await count("kb_eol_products", app); XCTAssertEqual(value, 7) }
            let folder = try XCTUnwrap(DemoEstate.shippedKnowledgeFolder)
            // Re-importing a file replaces what it brought: same count, and the summary says so.
            let again = try await KnowledgeBaseImport(database: app.db, actor: "test", clock: app.clock).run(.nvd, path: "\(folder)/nvd2-config-samples.json")
            XCTAssertEqual(again.first?.replaced, 3)
            do { let value = try await count("kb_nvd", app); XCTAssertEqual(value, nvd) }

            // A truncated gzip file and a feed with one bad line are refused whole, naming the problem.
            let whole = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/nvd-subset.jsonl.gz"))
            let truncated = NSTemporaryDirectory() + "truncated-\(UUID().uuidString).jsonl.gz"
            try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
            do {
                _ = try await KnowledgeBaseImport(database: app.db, actor: "test", clock: app.clock).run(.nvd, path: truncated)
                XCTFail("a truncated feed was imported")
            } catch let failure as KnowledgeBaseImport.Failure {
                XCTAssertTrue(failure.description.contains("truncated") || failure.description.contains("corrupt") || failure.description.contains("line"), failure.description)
            }
            let bad = try temporary("bad.jsonl", """
                {"id":"CVE-2099-0001","configurations":[]}
                {"id":"CVE-2099-0002","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"criteria":"cpe:2.3:a:acme","vulnerable":true}]}]}]}
                not json
                """)
            do {
                _ = try await KnowledgeBaseImport(database: app.db, actor: "test", clock: app.clock).run(.nvd, path: bad)
                XCTFail("a bad feed was imported")
            } catch let failure as KnowledgeBaseImport.Failure {
                XCTAssertTrue(failure.description.contains("line 2: CVE-2099-0002 configurations[0].nodes[0].cpeMatch[0].criteria"), failure.description)
                XCTAssertTrue(failure.description.contains("line 3: not valid JSON"), failure.description)
            }
            do { let value = try await count("kb_nvd", app); XCTAssertEqual(value, nvd, "nothing of a refused feed is written") }
            let badKEV = try temporary("kev.json", #"{"catalogVersion":"x","vulnerabilities":[{"cveID":"CVE-1","dateAdded":"2025-13-01"}]}"#)
            do { _ = try await KnowledgeBaseImport(database: app.db, actor: "test", clock: app.clock).run(.kev, path: badKEV); XCTFail("bad KEV imported") }
            catch let failure as KnowledgeBaseImport.Failure {
                XCTAssertTrue(failure.description.contains("vulnerabilities[0].cveID"), failure.description)
                XCTAssertTrue(failure.description.contains("vulnerabilities[0].dateAdded"), failure.description)
            }
            do { let value = try await count("kb_kev", app); XCTAssertEqual(value, kev) }
        }
    }

    func testInventoryCSVImportUpsertsRejectsBadRowsAndRemovesMissingDevices() async throws {
        try await withAssure(demo: true) { app in
            let organisation = try await OrganisationDirectory(database: app.db).require("T91")
            let importer = InventoryImport(context: try await commandContext(organisation.odsCode, on: app))
            let file = try temporary("inventory.csv", """
                Serial,hostname,type,os_name,os_build,software_name,software_vendor,software_version,clinical
                A1,ws-a1,desktop,Windows 10 Enterprise,10.0.19045.3930,Google Chrome,Google LLC,116.0.5845.140,yes
                A1,ws-a1,desktop,Windows 10 Enterprise,10.0.19045.3930,7-Zip 23.01 (x64),Igor Pavlov,23.01,yes
                A1,ws-a1,desktop,Windows 10 Enterprise,10.0.19045.3930,"C:\\Tools\\Ward	Viewer ""Pro""
                second line",NHS \\ Trust,2.0,yes
                A2,ws-a2,toaster,Windows 11 Enterprise,10.0.26100.6899,,,,
                A3,ws-a3,laptop,Windows 11 Enterprise,build-x,,,,
                ,ws-a4,laptop,Windows 11 Enterprise,10.0.26100.6899,,,,
                A5,ws-a5,laptop,Windows 11 Enterprise,10.0.26100.6899,Zoom,Zoom,unknown version,
                A6,ws-a6,laptop,Windows 7 Professional,6.1.7601.24546,,,,maybe
                A7,only,three
                A8,ws-a8,laptop,Windows 11 Enterprise,10.0.26100.6899,,,,
                """)
            let first = try await importer.importCSV(at: file, format: .generic, mapping: ["device_id": "Serial"])
            XCTAssertEqual(first.inserted, 2)
            XCTAssertEqual(first.software, 3)
            XCTAssertEqual(first.rejected, 6)
            let problems = Set(first.problems.map { "\($0.line ?? 0) \($0.field)" })
            XCTAssertEqual(problems, ["6 type", "7 os_build", "8 device_id", "9 software_version", "10 clinical", "11 row"], "lines as an editor numbers them")
            // Backslashes, tabs, quotes and a line break inside a title survive (PostgreSQL takes software through COPY).
            do {
                let sql = try XCTUnwrap(app.db as? any SQLDatabase)
                let names = try await sql.raw("SELECT name, vendor FROM estate_software WHERE vendor LIKE 'NHS%'").all()
                    .map { "\(try $0.decode(column: "name", as: String.self))|\(try $0.decode(column: "vendor", as: String.self))" }
                XCTAssertEqual(names, ["C:\\Tools\\Ward\tViewer \"Pro\"\nsecond line|NHS \\ Trust"])
            }
            // Unknown columns are refused before anything is read.
            let unknown = try temporary("unknown.csv", "device_id,colour\nX,blue\n")
            do { _ = try await importer.importCSV(at: unknown, format: .generic); XCTFail("unknown column accepted") }
            catch let error as AssureError { XCTAssertEqual(error.problems.first?.field, "colour") }

            // The same file again updates, adds nothing; a smaller file removes what it no longer lists.
            let second = try await importer.importCSV(at: file, format: .generic, mapping: ["device_id": "Serial"])
            XCTAssertEqual([second.inserted, second.updated, second.removed], [0, 2, 0])
            do { let value = try await count("estate_software", app); XCTAssertEqual(value, 3, "software is replaced, not added to") }
            let replacement = try temporary("replacement.csv", "device_id,os_name,os_build\nB1,Windows 11 Enterprise,10.0.26100.6899\n")
            do { _ = try await importer.importCSV(at: replacement, format: .generic); XCTFail("a file removing every device it listed is refused") }
            catch let error as AssureError { XCTAssertEqual(error.problems.first?.field, "allow_large_removal") }
            var allowing = importer
            allowing.allowLargeRemoval = true
            let third = try await allowing.importCSV(at: replacement, format: .generic)
            XCTAssertEqual([third.inserted, third.updated, third.removed], [1, 0, 2])

            // Presets: Intune devices, Defender's software rows with Windows as a row.
            let intune = try temporary("intune.csv", "Device ID,Device name,OS,OS version,Last check-in,Primary user UPN,Compliance\nI-1,LT-1,Windows,10.0.22631.4460,2026-11-20 10:11:12.0000000,a@nhs.net,Compliant\n")
            let intuneSummary = try await importer.importCSV(at: intune, format: .intune)
            XCTAssertEqual(intuneSummary.inserted, 1)
            let defender = try temporary("defender.csv", """
                DeviceId,DeviceName,OSPlatform,OSVersion,SoftwareVendor,SoftwareName,SoftwareVersion,ProductCodeCpe
                D-1,ws-d1,Windows10,10.0,microsoft,windows_10,10.0.19045.3930,Not Available
                D-1,ws-d1,Windows10,10.0,google,chrome,116.0.5845.140,cpe:2.3:a:google:chrome:-:*:*:*:*:*:*:*
                D-1,ws-d1,Windows10,10.0,acme,thing,1.0,cpe:2.3:a:acme
                D-2,ws-d2,Windows11,10.0,google,chrome,116.0.5845.140,
                D-2,ws-d2,Windows11,10.0,microsoft,windows_11,10.0.26100.6899,
                """ + "\n" + (1...4_001).map { "D-3,ws-d3,Windows11,10.0,nhs,tool \($0),1.\($0),\n" }.joined()
                + "D-3,ws-d3,Windows11,10.0,microsoft,windows_11,10.0.26100.7000,\n")
            let defenderSummary = try await importer.importCSV(at: defender, format: .defender)
            XCTAssertEqual(defenderSummary.inserted, 3)
            XCTAssertEqual(defenderSummary.problems.map(\.field), ["software_cpe"])
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            func build(_ key: String) async throws -> String? {
                try await sql.raw("SELECT os_build FROM estate_devices WHERE device_key = \(bind: key)").first()?.decode(column: "os_build", as: String.self)
            }
            do { let value = try await build("D-1"); XCTAssertEqual(value, "10.0.19045.3930", "Defender's Windows row is the device's OS") }
            do { let value = try await build("D-2"); XCTAssertEqual(value, "10.0.26100.6899", "also when it comes after the device's first row") }
            do { let value = try await build("D-3"); XCTAssertEqual(value, "10.0.26100.7000", "also when the device was written in an earlier batch") }
        }
    }

    func testAnalysisFindsTheHandCheckedCVEsRaisesOneRiskAndAnswersChecks() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            try await DemoEstate.loadShippedKnowledge(on: app)
            let organisation = try await OrganisationDirectory(database: app.db).require("T91")
            let file = try temporary("estate.csv", """
                device_id,hostname,type,os_name,os_build,software_name,software_vendor,software_version,software_cpe
                old,old-chrome,workstation,Windows 11 Enterprise,10.0.26100.9000,Google Chrome,Google LLC,116.0.5845.140,
                new,new-chrome,workstation,Windows 11 Enterprise,10.0.26100.9000,Google Chrome,Google LLC,116.0.5845.187,
                scanner,mri-1,medical-device,Windows 7 Embedded Standard,6.1.7601.24546,,,,
                pacs,pacs-1,medical-device,Windows 7 Embedded Standard,6.1.7601.24546,SMB 1.0/CIFS File Sharing Support,Microsoft,1.0,cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*
                """)
            _ = try await InventoryImport(context: try await commandContext(organisation.odsCode, on: app)).importCSV(at: file, format: .generic)
            let knowledge = try await app.knowledgeBase()
            let runner = EstateAnalysisRunner(try await commandContext(organisation.odsCode, on: app, today: "2026-11-22"), knowledge: knowledge)
            let outcome = try await runner.run()
            XCTAssertEqual(outcome.roll_up.devices, 4)
            XCTAssertEqual(outcome.roll_up.unsupportedOS, 2, "Windows 7")
            XCTAssertEqual(outcome.roll_up.knownExploited, 4, "CVE-2023-4863 on the old Chrome, BlueKeep on both Windows 7 devices, and later exploited Chrome flaws (CVE-2024-0519 and others) on 116.0.5845.187")
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            let mapping = try await EstateAnalysisRunner.titleMapping(sql)
            // Read back as the device page reads them: the device's titles' findings, its OS's, and its own.
            func cves(_ key: String) async throws -> Set<String> {
                Set(try await EstateQueries.device(key, of: organisation.id, knowledge: knowledge, mapping: mapping, on: sql)?.vulnerabilities.map(\.cve) ?? [])
            }
            do { let value = try await cves("old").contains("CVE-2023-4863"); XCTAssertTrue(value) }
            do { let value = try await cves("new").contains("CVE-2023-4863"); XCTAssertFalse(value) }
            do { let value = try await cves("scanner").contains("CVE-2019-0708"); XCTAssertTrue(value) }
            do { let value = try await cves("scanner").contains("CVE-2017-0144"); XCTAssertFalse(value, "EternalBlue needs SMBv1, which this device does not list") }
            do { let value = try await cves("pacs").isSuperset(of: ["CVE-2017-0144", "CVE-2019-0708"]); XCTAssertTrue(value, "SMBv1 on Windows 7 SP1: the WannaCry case") }
            do {
                let unsupported = try await EstateQueries.device("pacs", of: organisation.id, knowledge: knowledge, mapping: mapping, on: sql)?.unsupported.map(\.lifecycle)
                XCTAssertEqual(unsupported?.count, 1, "Windows 7's end of life, once")
            }
            // And the other way, as the vulnerability page and the alerts board count them.
            for (cve, expected) in [("CVE-2023-4863", ["old-chrome"]), ("CVE-2019-0708", ["mri-1", "pacs-1"]), ("CVE-2017-0144", ["pacs-1"])] {
                let found = try await EstateQueries.vulnerability(cve, of: organisation.id, knowledge: knowledge, on: sql)
                XCTAssertEqual(found?.devices.map(\.hostname), expected, cve)
                XCTAssertEqual(found?.affected_devices, expected.count, cve)
            }
            do { let value = try await count("estate_snapshots", app); XCTAssertEqual(value, 1) }

            // Three of four exposed passes the default thresholds: one risk, updated (never duplicated) on the next run.
            let risk = try XCTUnwrap(outcome.risk)
            let again = try await runner.run()
            XCTAssertEqual(again.risk, risk)
            do { let value = try await Risk.query(on: app.db).filter(\.$sourceReference == EstateRisk.sourceReference).count(); XCTAssertEqual(value, 1) }
            do { let value = try await count("estate_snapshots", app); XCTAssertEqual(value, 1, "one snapshot a day") }

            // Findings are published by pointer: one analysis's are stored once the next is published,
            // one under way is neither read nor removed, and one that is over goes.
            func analyses() async throws -> Set<UUID> {
                Set(try await sql.raw("SELECT DISTINCT analysis_id FROM estate_title_findings").all().map { try $0.decode(column: "analysis_id", as: UUID.self) })
            }
            let published = try await sql.raw("SELECT analysis_id FROM estate_analyses WHERE organisation_id = \(bind: organisation.id)").first()?
                .decode(column: "analysis_id", as: UUID.self)
            do { let value = try await analyses(); XCTAssertEqual(value, Set([try XCTUnwrap(published)]), "the first analysis's findings are gone") }
            let underWay = UUID()
            try await AnalysisPublication.begin(underWay, organisation: organisation.id, at: Date(), on: app.db)
            try await sql.insert(into: "estate_title_findings")
                .columns("analysis_id", "organisation_id", "source", "name", "vendor", "version", "cpe", "kind", "reference", "component")
                .values(SQLBind(underWay), SQLBind(organisation.id), SQLBind("software"), SQLBind("Google Chrome"), SQLBind("Google LLC"), SQLBind("116.0.5845.187"),
                        SQLBind(""), SQLBind("cve"), SQLBind("CVE-2023-4863"), SQLBind(""))
                .run()
            do { let value = try await cves("new").contains("CVE-2023-4863"); XCTAssertFalse(value, "an analysis under way is not read") }
            _ = try await runner.run()
            do { let value = try await analyses(); XCTAssertEqual(value.count, 2); XCTAssertTrue(value.contains(underWay), "nor removed by another") }
            do { let value = try await cves("old").contains("CVE-2023-4863"); XCTAssertTrue(value, "the newest published analysis is read") }
            try await AnalysisPublication.finish(underWay, organisation: organisation.id, on: app.db)
            do { let value = try await analyses(); XCTAssertEqual(value.count, 1); XCTAssertFalse(value.contains(underWay), "once over and not published, it goes") }
            do { let value = try await count("estate_analysis_runs", app); XCTAssertEqual(value, 1, "only the published analysis is remembered") }
            try await PublishAnalysesByPointer().revert(on: app.db)
            try await PublishAnalysesByPointer().prepare(on: app.db)
            do { let value = try await cves("pacs").isSuperset(of: ["CVE-2017-0144", "CVE-2019-0708"]); XCTAssertTrue(value, "findings survive the migration back and forth") }

            // The CAF-aligned DSPT's B4.d is answered from the estate.
            let credentials = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "estate.manager@assure.test")
            let assessment = try await Assessments(context: try await commandContext(organisation.odsCode, on: app, today: "2026-11-22"), frameworks: .shipped).start(.init(framework: "dspt-caf", period: "2026-27", final_due: "2027-06-30"))
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/\(assessment.reference)/checks", headers: ["Content-Type": "application/json"],
                               body: ByteBuffer(string: "{}"), as: .some(credentials)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.body.string)
                XCTAssertTrue(res.body.string.contains("estate-patch-compliance"), res.body.string)
                XCTAssertTrue(res.body.string.contains("B4.d"), res.body.string)
            }
        }
    }

    func testPagesAPIAndAlertsKeepOrganisationsApart() async throws {
        try await withAssure(demo: true) { app in
            _ = try await DemoEstate.seed(on: app, devices: 300, organisations: 2, seed: 3)
            let t91 = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "t91@assure.test")
            let t92 = try await TestCredentials.make(role: .viewer, organisation: "T92", on: app, email: "t92@assure.test")
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            let row = try await sql.raw("SELECT d.device_key FROM estate_devices d JOIN organisations o ON o.id = d.organisation_id WHERE o.ods_code = 'T91' LIMIT 1").first()
            let key = try XCTUnwrap(try row?.decode(column: "device_key", as: String.self))
            for path in ["/organisations/T91/estate", "/organisations/T91/estate/devices?exposure=kev", "/organisations/T91/estate/devices/\(key)",
                         "/api/v1/organisations/T91/estate", "/api/v1/organisations/T91/estate/devices/\(key)"] {
                try await app.send(.GET, path, as: .some(t91)) { res async throws in XCTAssertEqual(res.status, .ok, path) }
                try await app.send(.GET, path, as: .some(t92)) { res async throws in XCTAssertEqual(res.status, .notFound, "T92 must not see \(path)") }
            }
            try await app.send(.POST, "/api/v1/organisations/T91/estate/import?format=csv", headers: ["Content-Type": "text/csv"],
                               body: ByteBuffer(string: "device_id\nX\n"), as: .some(t92)) { res async throws in XCTAssertEqual(res.status, .notFound) }
            try await app.send(.GET, "/api/v1/organisations/T91/estate/devices?exposure=everything", as: .some(t91)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.body.string.contains("exposure"))
            }
            try await app.send(.GET, "/api/v1/organisations/T91/estate/vulnerabilities/CVE-12", as: .some(t91)) { res async throws in XCTAssertEqual(res.status, .unprocessableEntity) }
            try await app.send(.POST, "/api/v1/organisations/T91/estate/import?format=csv&allow_large_removal=yes", headers: ["Content-Type": "text/csv"],
                               body: ByteBuffer(string: "device_id,os_name,os_build\nAPI-1,Windows 11 Enterprise,10.0.26100.6899\n"), as: .some(t91)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.body.string)
                XCTAssertTrue(res.body.string.contains(#""inserted":1"#), res.body.string)
            }

            // Alerts: only a system administrator records one; each organisation answers for itself.
            let body = #"{"reference":"CC-4512","title":"BlueKeep","cves":"CVE-2019-0708","required_action":"Patch or isolate","issued_at":"2026-11-19T09:00:00Z"}"#
            try await app.send(.POST, "/api/v1/cyber-alerts", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: body), as: .some(t91)) { res async throws in
                XCTAssertEqual(res.status, .forbidden)
            }
            try await app.send(.POST, "/api/v1/cyber-alerts", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: body)) { res async throws in
                XCTAssertEqual(res.status, .created, res.body.string)
            }
            try await app.send(.POST, "/api/v1/cyber-alerts", headers: ["Content-Type": "application/json"],
                               body: ByteBuffer(string: #"{"reference":"bad ref!","title":"","cves":"CVE-X","required_action":""}"#)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                for field in ["reference", "title", "cves", "required_action"] { XCTAssertTrue(res.body.string.contains(#""field":"\#(field)""#), field) }
            }
            try await app.send(.GET, "/api/v1/organisations/T91/cyber-alerts", as: .some(t91)) { res async throws in
                XCTAssertTrue(res.body.string.contains(#""acknowledgement_overdue":true"#), "issued three days ago and not acknowledged")
            }
            try await app.send(.POST, "/api/v1/organisations/T91/cyber-alerts/CC-4512", headers: ["Content-Type": "application/json"],
                               body: ByteBuffer(string: #"{"status":"not-affected"}"#), as: .some(t91)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "not affected needs a reason")
            }
            try await app.send(.POST, "/api/v1/organisations/T91/cyber-alerts/CC-4512", headers: ["Content-Type": "application/json"],
                               body: ByteBuffer(string: #"{"status":"patched","note":"KB patched"}"#), as: .some(t91)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.body.string)
                XCTAssertTrue(res.body.string.contains(#""status":"patched""#))
            }
            try await app.send(.POST, "/api/v1/organisations/T91/cyber-alerts/CC-4512", headers: ["Content-Type": "application/json"],
                               body: ByteBuffer(string: #"{"status":"patched"}"#), as: .some(t92)) { res async throws in XCTAssertEqual(res.status, .notFound) }
            try await app.send(.GET, "/api/v1/organisations/T92/cyber-alerts", as: .some(t92)) { res async throws in
                XCTAssertTrue(res.body.string.contains(#""status":"not-started""#), "T91's answer is not T92's")
            }
        }
    }

    func testATitleRuleWithProblemsComesBackToItsPageWithTheMessagesBesideTheFields() async throws {
        try await withAssure(demo: true) { app in
            let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]
            try await app.send(.POST, "/estate/title-rules", headers: headers,
                               body: ByteBuffer(string: "organisation=T91&name_pattern=Ward+Whiteboard&vendor_pattern=&cpe_vendor=Local+Trust&cpe_product=")) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                let page = ParsedPage(res.text)
                XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "name_pattern" }?.attributes["value"], "Ward Whiteboard")
                XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "cpe_vendor-error" }, "the message sits beside the field")
                XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "cpe_product-error" })
                XCTAssertTrue(res.text.contains("There is a problem"))
            }
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            let before = try await sql.raw("SELECT COUNT(*) AS n FROM estate_title_rules").first()?.decode(column: "n", as: Int.self)
            try await app.send(.POST, "/estate/title-rules", headers: headers,
                               body: ByteBuffer(string: "organisation=T91&name_pattern=Ward+Whiteboard&vendor_pattern=&cpe_vendor=kingsmere&cpe_product=ward_whiteboard")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T91/estate/unmapped")
            }
            let after = try await sql.raw("SELECT COUNT(*) AS n FROM estate_title_rules").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(after, before.map { $0 + 1 })
            try await app.send(.POST, "/estate/title-rules", headers: headers,
                               body: ByteBuffer(string: "organisation=T91&name_pattern=Ward+Whiteboard&vendor_pattern=&cpe_vendor=kingsmere&cpe_product=ward_whiteboard")) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "the same rule twice")
                XCTAssertTrue(ParsedPage(res.text).elements(named: "p").contains { $0.attributes["id"] == "name_pattern-error" })
            }
        }
    }

    func testAlertFormsWithProblemsComeBackWithTheMessagesBesideTheFields() async throws {
        try await withAssure(demo: true) { app in
            let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]
            try await app.send(.POST, "/cyber-alerts", headers: headers,
                               body: ByteBuffer(string: "organisation=T91&reference=bad+ref!&title=BlueKeep&issued_at=&cves=CVE-2019-0708&required_action=Patch")) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                let page = ParsedPage(res.text)
                XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "reference-error" }, res.text)
                XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "title" }?.attributes["value"], "BlueKeep")
            }
            try await app.send(.POST, "/cyber-alerts", headers: headers,
                               body: ByteBuffer(string: "organisation=T91&reference=CC-4512&title=BlueKeep&issued_at=&cves=CVE-2019-0708&required_action=Patch")) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.POST, "/organisations/T91/cyber-alerts/CC-4512", headers: headers, body: ByteBuffer(string: "status=not-affected&note=")) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(ParsedPage(res.text).elements(named: "p").contains { $0.attributes["id"] == "note-CC-4512-error" }, res.text)
            }
        }
    }
}
