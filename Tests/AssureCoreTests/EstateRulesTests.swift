import AssureCore
import AssureDemo
import XCTest

/// The estate's rules without a database: Windows releases, title mapping, versions as
/// inventories write them, end of life, inventory rows, patch compliance, alerts and thresholds.
final class EstateRulesTests: XCTestCase {
    func testWindowsReleasesFromNameAndBuild() throws {
        let win10 = try XCTUnwrap(WindowsRelease(name: "Windows 10 Enterprise", build: "10.0.19045.4170"))
        XCTAssertEqual(win10.cpe.description, "cpe:2.3:o:microsoft:windows_10_22h2:10.0.19045.4170:*:*:*:*:*:*:*")
        XCTAssertEqual(win10.endOfLifeCycles.cycles.first, "10-22h2-e")
        XCTAssertEqual(WindowsRelease(name: "Windows", build: "10.0.26100.6899")?.displayName, "Windows 11 24H2")
        XCTAssertEqual(WindowsRelease(name: "Windows 10 Enterprise LTSC", build: "10.0.17763.8000")?.endOfLifeCycles.cycles.first, "10-1809-e-lts")
        let seven = try XCTUnwrap(WindowsRelease(name: "Windows 7 Embedded Standard", build: "6.1.7601.24546"))
        XCTAssertEqual(seven.cpe.description, "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")
        XCTAssertEqual(WindowsRelease(name: "Windows Server 2012 R2 Datacenter", build: "6.3.9600.22000")?.cpe.description,
                       "cpe:2.3:o:microsoft:windows_server_2012:r2:*:*:*:*:*:*:*")
        XCTAssertEqual(WindowsRelease(name: "Windows Server 2022", build: "10.0.20348.4294")?.endOfLifeCycles.cycles.first, "2022")
        XCTAssertNil(WindowsRelease(name: "Ubuntu 22.04", build: "22.04"))
        XCTAssertNil(WindowsRelease(name: "Windows", build: "10.0.99999.1"), "an unknown build is not guessed")
    }

    func testTitlesMapByLongestPrefixAndVersionsAreCleaned() throws {
        let mapping = TitleMapping(TitleMapping.nhsDefaults)
        XCTAssertEqual(Set(TitleMapping.nhsDefaults.map { "\($0.namePattern)|\($0.vendorPattern)" }).count, TitleMapping.nhsDefaults.count, "defaults are unique")
        XCTAssertEqual(mapping.rule(name: "Mozilla Firefox ESR (x64 en-GB)", vendor: "Mozilla")?.cpeProduct, "firefox_esr")
        XCTAssertEqual(mapping.rule(name: "Mozilla Firefox (x64 en-GB)", vendor: "Mozilla")?.cpeProduct, "firefox")
        XCTAssertEqual(mapping.rule(name: "7-Zip 23.01 (x64)", vendor: "Igor Pavlov")?.key, "7-zip:7-zip")
        XCTAssertEqual(mapping.cpe(name: "Java 8 Update 381", vendor: "Oracle Corporation", version: "8 Update 381", given: nil)?.version, "1.8.0_381")
        XCTAssertNil(mapping.rule(name: "Dragon Medical One", vendor: "Nuance"))
        XCTAssertNil(mapping.rule(name: "Zoomtext", vendor: "Freedom Scientific"), "a prefix matches whole words only")
        XCTAssertEqual(mapping.cpe(name: "x", vendor: "", version: "116.0.1", given: "cpe:2.3:a:google:chrome:*:*:*:*:*:*:*:*")?.version, "116.0.1")
        XCTAssertEqual(TitleRule(name: "", cpeVendor: "Bad Vendor", cpeProduct: "").problems().map(\.field), ["name_pattern", "cpe_vendor", "cpe_product"])
        XCTAssertEqual(InventoryVersion.clean("23.01 (x64)"), "23.01")
    }

    func testCPE22URIsFromCVE5RecordsAreRead() throws {
        XCTAssertEqual(try CPE(anyBinding: "cpe:/o:redhat:enterprise_linux:9::baseos").description, "cpe:2.3:o:redhat:enterprise_linux:9:*:baseos:*:*:*:*:*")
        XCTAssertThrowsError(try CPE(anyBinding: "cpe:/x:acme"))
        XCTAssertThrowsError(try CPE(anyBinding: "redhat:enterprise_linux"))
    }

    func testEndOfLifeCyclesByVersionAndDate() {
        let jdk = EndOfLifeProduct(name: "oracle-jdk", label: "Oracle JDK", cpeKeys: ["oracle:jre"], cycles: [
            .init(cycle: "8", endOfLife: .on(CalendarDay("2022-03-31")!)), .init(cycle: "21", endOfLife: .on(CalendarDay("2028-09-30")!)),
        ])
        XCTAssertEqual(jdk.cycle(for: "1.8.0_381")?.cycle, "8", "Java's 1.x versions")
        XCTAssertEqual(jdk.cycle(for: "21.0.4")?.cycle, "21")
        XCTAssertNil(jdk.cycle(for: "17.0.1"))
        let index = EndOfLifeIndex([jdk])
        let today = CalendarDay("2026-11-22")!
        XCTAssertEqual(index.lifecycle(of: CPE(vendor: "oracle", product: "jre", version: "1.8.0_381"))?.cycle.endOfLife.hasPassed(on: today), true)
        XCTAssertEqual(EndOfLifeDate("false"), .notAnnounced)
        XCTAssertNil(EndOfLifeDate("soon"))
    }

    func testInventoryRowsAreCheckedFieldByField() {
        let columns = try! InventoryColumns.read(header: ["device_id", "type", "last_seen", "software_name", "software_version"], format: .generic).get()
        let good = try! InventoryRow.read(["D1", "Notebook", "21/11/2026 09:00", "Zoom", "6.1.6"], line: 2, columns: columns).get()
        XCTAssertEqual(good.device.type, .laptop)
        XCTAssertEqual(good.device.lastSeen, CalendarDay("2026-11-21"))
        if case .failure(let violations) = InventoryRow.read(["D1", "fridge", "yesterday", "", "1.0"], line: 7, columns: columns) {
            XCTAssertEqual(violations.problems.map { "\($0.line) \($0.field)" }, ["7 type", "7 last_seen", "7 software_name"])
        } else { XCTFail("a bad row was accepted") }
        if case .failure(let violations) = InventoryColumns.read(header: ["hostname"], format: .intune) {
            XCTAssertEqual(violations.problems.first?.field, "device_id")
        } else { XCTFail("a file without device ids was accepted") }
    }

    func testPatchComplianceCountsOnlyOldCriticalHighOrExploitedFixes() throws {
        let chrome = try CPE("cpe:2.3:a:google:chrome:116.0.1:*:*:*:*:*:*:*")
        func record(_ id: String) -> CVEApplicability {
            CVEApplicability(id: id, configurations: [.init(nodes: [.init(matches: [CPEMatch(criteria: try! CPE("cpe:2.3:a:google:chrome:*:*:*:*:*:*:*:*"), vulnerable: true, versionEndExcluding: "117")])])])
        }
        let today = CalendarDay("2026-11-22")!
        func exposure(_ facts: CVEFacts) -> DeviceExposure {
            let analyser = EstateAnalyser(index: VulnerabilityIndex([record("CVE-2026-0001")]), facts: [facts], endOfLife: EndOfLifeIndex([]), today: today)
            var scratch = EstateAnalyser.Scratch(records: 1)
            return analyser.exposure(of: [0], findings: analyser.findings(for: [EstateComponent(cpe: chrome)]), scratch: &scratch)
        }
        XCTAssertFalse(exposure(CVEFacts(score: 8.8, published: today.adding(days: -15))).patchCompliant, "high, fix out 15 days")
        XCTAssertTrue(exposure(CVEFacts(score: 8.8, published: today.adding(days: -14))).patchCompliant, "within the 14 days")
        XCTAssertTrue(exposure(CVEFacts(score: 5.0, published: today.adding(days: -300))).patchCompliant, "medium does not count")
        let exploited = exposure(CVEFacts(score: 5.0, published: today.adding(days: -300), exploitedSince: today.adding(days: -200), ransomware: true))
        XCTAssertFalse(exploited.patchCompliant)
        XCTAssertEqual(exploited.knownExploited, 1)
        XCTAssertTrue(exploited.ransomware)
        var rollUp = EstateRollUp()
        rollUp.add(exploited)
        rollUp.add(exposure(CVEFacts(score: 5.0, published: today)))
        XCTAssertEqual(rollUp.patchCompliancePercent, 50)
        XCTAssertEqual(EstateCheckRules.patching(rollUp, allowed: ["non-compliant", "compliant"], on: today).level, "non-compliant")
        XCTAssertEqual(EstateCheckRules.patching(rollUp, allowed: ["not-achieved", "partially-achieved", "achieved"], on: today).level, "not-achieved")
        XCTAssertEqual(EstateRiskThresholds().breaches(rollUp).count, 1)
    }

    func testAlertDeadlines() {
        let issued = Date(timeIntervalSince1970: 1_800_000_000)
        let late = CyberAlertRules.standing(issued: issued, acknowledged: nil, updated: nil, status: .notStarted, now: issued.addingTimeInterval(49 * 3600))
        XCTAssertTrue(late.acknowledgementOverdue)
        XCTAssertFalse(late.updateOverdue)
        let done = CyberAlertRules.standing(issued: issued, acknowledged: issued.addingTimeInterval(3600), updated: issued.addingTimeInterval(7200), status: .patched,
                                            now: issued.addingTimeInterval(10 * 86_400))
        XCTAssertFalse(done.acknowledgementOverdue || done.updateOverdue || done.acknowledgedLate)
        let open = CyberAlertRules.standing(issued: issued, acknowledged: issued.addingTimeInterval(3600), updated: nil, status: .inProgress, now: issued.addingTimeInterval(4 * 86_400))
        XCTAssertTrue(open.updateOverdue)
        XCTAssertEqual(CyberAlertRules.problems(reference: "CC-4512", title: "t", cves: ["CVE-2024-21413"], action: "a"), [])
    }

    func testSyntheticEstatesAreDeterministicAndShapedLikeTheNHS() {
        let today = CalendarDay("2026-11-22")!
        let a = SyntheticEstate(devices: 20_000, organisations: 4, seed: 9, today: today), b = SyntheticEstate(devices: 20_000, organisations: 4, seed: 9, today: today)
        XCTAssertEqual(a.devices.map(\.titles), b.devices.map(\.titles))
        XCTAssertEqual(a.titles, b.titles)
        XCTAssertEqual(a.devices.count, 20_000)
        let os = a.devices.filter { $0.type == .workstation || $0.type == .laptop }.map { a.titles[Int($0.titles[0])] }
        let eleven = Double(os.filter { $0.name.hasPrefix("Windows 11") }.count) / Double(os.count)
        XCTAssertEqual(eleven, 0.80, accuracy: 0.03)
        let servers = Double(a.devices.filter { $0.type == .server }.count) / 20_000
        XCTAssertTrue((0.05...0.08).contains(servers), "\(servers)")
        XCTAssertTrue(a.devices.contains { $0.type == .medicalDevice && a.titles[Int($0.titles[0])].name.contains("Windows 7") })
    }
}
