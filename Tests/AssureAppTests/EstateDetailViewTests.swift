import AssureCore
import XCTest
@testable import AssureApp

/// The estate's device, vulnerability and unmapped-software views are pure functions of their
/// models: rendered from hand-built models, without a database or a knowledge base.
final class EstateDetailViewTests: XCTestCase {
    static func device(_ id: String, cves: Int = 0, score: Double? = nil, knownExploited: Int = 0, unsupportedOS: Bool = false) -> EstateQueries.Device {
        EstateQueries.Device(device_id: id, hostname: id.lowercased(), type: "laptop", os: "Windows 10 Enterprise", os_build: "10.0.19044.5011", site: "Kingsmere General",
                             owner: "", criticality: "high", clinical: true, last_seen: "2026-11-30", source: "intune", cves: cves, known_exploited: knownExploited,
                             ransomware: false, highest_score: score, severity: "high", unsupported: unsupportedOS ? 2 : 0, unsupported_os: unsupportedOS,
                             patch_compliant: !unsupportedOS, analysed_on: "2026-12-01")
    }

    func testTheDeviceListPagesAndSaysWhatIsNotScored() {
        let model = EstateDevicesPage.Model(code: "T91", exposure: .kev, search: "ward", page: 2, total: 250,
                                            devices: [Self.device("KGH-LT-0042", cves: 3, knownExploited: 1, unsupportedOS: true)])
        let html = Layout.render(PageShell(title: "Devices"), EstateDevicesPage.view(model))
        XCTAssertTrue(html.contains("250 devices, page 2 of 3"), html)
        XCTAssertTrue(html.contains("Not scored"), "CVEs without a CVSS score are not shown as 0.0")
        XCTAssertTrue(html.contains("OS and 1 more"))
        let links = ParsedPage(html).elements(named: "a").compactMap { $0.attributes["href"] }
        XCTAssertTrue(links.contains("/organisations/T91/estate/devices/KGH-LT-0042"), "\(links)")
        XCTAssertTrue(links.contains { $0.contains("page=1") } && links.contains { $0.contains("page=3") }, "previous and next pages keep the filter: \(links)")
        XCTAssertTrue(links.allSatisfy { !$0.contains("page=") || $0.contains("exposure=kev") })
    }

    func testAnEmptyFilterSaysSoAndLeadsBack() {
        let html = Layout.render(PageShell(title: "Devices"), EstateDevicesPage.view(.init(code: "T91", exposure: .all, search: "", page: 1, total: 0, devices: [])))
        XCTAssertTrue(html.contains("No device matches this filter."))
        XCTAssertFalse(html.contains("Next page"))
    }

    func testADeviceShowsItsDatesInTheNHSStyleAndWhatIsNotMapped() {
        let detail = EstateQueries.DeviceDetail(device: Self.device("KGH-LT-0042", cves: 1, score: 9.8, unsupportedOS: true),
                                                software: [.init(name: "Ward Whiteboard", vendor: "Local", version: "2.1", cpe: nil)],
                                                vulnerabilities: [.init(cve: "CVE-2019-0708", score: 9.8, severity: "critical", known_exploited: true, ransomware: true, published: "2019-05-16T19:29:00")],
                                                unsupported: [.init(lifecycle: "Windows 10 21H2", component: "windows 10", end_of_life: "2023-06-13")])
        let html = Layout.render(PageShell(title: "kgh-lt-0042"), EstateDevicePage.view(.init(code: "T91", detail: detail)))
        XCTAssertTrue(html.contains("30 November 2026"), "last seen")
        XCTAssertTrue(html.contains("16 May 2019"), "published")
        XCTAssertTrue(html.contains("ended 13 June 2023"))
        XCTAssertTrue(html.contains("Yes, ransomware"))
        XCTAssertTrue(html.contains("Not mapped"))
        XCTAssertTrue(html.contains("Unsupported"))
    }

    func testAVulnerabilityNamesItsKnownExploitationAndTheDevicesHere() {
        let vulnerability = EstateQueries.Vulnerability(cve: "CVE-2019-0708", description: "Remote Desktop Services remote code execution (BlueKeep)", published: "2019-05-16T19:29:00",
                                                        score: 9.8, cvss_version: "3.1", vector: nil, severity: "critical", known_exploited_since: "2021-11-03", ransomware: true,
                                                        required_action: "Apply updates per vendor instructions.", kev_due: "2022-05-03", affected_devices: 1,
                                                        devices: [Self.device("KGH-LT-0042")])
        let html = Layout.render(PageShell(title: "CVE-2019-0708"), EstateVulnerabilityPage.view(.init(code: "T91", organisationName: "Kingsmere", vulnerability: vulnerability)))
        XCTAssertTrue(html.contains("Since 3 November 2021, used in ransomware"), html)
        XCTAssertTrue(html.contains("9.8 Critical (CVSS 3.1)"), html)
        XCTAssertTrue(html.contains("kgh-lt-0042"))
        let none = EstateVulnerabilityPage.Model(code: "T91", organisationName: "Kingsmere", vulnerability: .init(
            cve: "CVE-2024-0001", description: nil, published: nil, score: nil, cvss_version: nil, vector: nil, severity: "none", known_exploited_since: nil,
            ransomware: false, required_action: nil, kev_due: nil, affected_devices: 0, devices: []))
        let empty = Layout.render(PageShell(title: "CVE-2024-0001"), EstateVulnerabilityPage.view(none))
        XCTAssertTrue(empty.contains("No device in Kingsmere is affected."))
        XCTAssertTrue(empty.contains("Not scored yet"))
    }

    func testTheRuleFormIsOnlyForSystemAdministratorsAndComesBackWithItsProblems() {
        var model = UnmappedSoftwarePage.Model(code: "T91", titles: [.init(name: "Ward Whiteboard", vendor: "Local", devices: 12, versions: 2)], rules: [])
        let ruleForms = { (page: ParsedPage) in page.forms.filter { $0.action == "/estate/title-rules" } }
        XCTAssertTrue(ruleForms(ParsedPage(Layout.render(PageShell(title: "Unmapped software"), UnmappedSoftwarePage.view(model)))).isEmpty)
        model.mayAddRules = true
        model.submitted = .init(values: ["name_pattern": "ward whiteboard", "cpe_vendor": "Local Trust"],
                                problems: [.init(field: "cpe_vendor", message: "A CPE vendor is lower case letters, digits and _ . - only")])
        let page = ParsedPage(Layout.render(PageShell(title: "Unmapped software"), UnmappedSoftwarePage.view(model)))
        XCTAssertEqual(ruleForms(page).count, 1)
        XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "name_pattern" }?.attributes["value"], "ward whiteboard")
        XCTAssertEqual(page.elements(named: "input").first { $0.attributes["id"] == "cpe_vendor" }?.attributes["value"], "Local Trust")
        XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "cpe_vendor-error" })
    }

    func testAnAlertAnswerSentBackShowsTheMessageBesideThatAlertsNote() {
        let issued = Date(timeIntervalSince1970: 1_795_000_000)
        let alert = CyberAlerts.Alert(reference: "CC-4512", title: "BlueKeep", issued_at: issued, cves: ["CVE-2019-0708"], required_action: "Patch or isolate",
                                          status: "not-started", acknowledged_at: nil, acknowledged_by: nil, updated_at: nil, note: "",
                                          acknowledgement_due: issued.addingTimeInterval(48 * 3600), update_due: issued.addingTimeInterval(3 * 86400),
                                          acknowledgement_overdue: true, acknowledged_late: false, update_overdue: false, affected_devices: 2)
        var model = CyberAlertBoardPage.Model(code: "T91", alerts: [alert], mayRespond: true)
        model.submitted = .init(form: .response("CC-4512"), values: ["status": "not-affected", "note": ""],
                                problems: [.init(field: "note", message: "Say why the organisation is not affected")])
        let html = Layout.render(PageShell(title: "Cyber alerts"), CyberAlertBoardPage.view(model))
        let page = ParsedPage(html)
        XCTAssertTrue(page.elements(named: "p").contains { $0.attributes["id"] == "note-CC-4512-error" }, html)
        XCTAssertTrue(page.elements(named: "a").contains { $0.attributes["href"] == "#note-CC-4512" }, "the summary links to the field")
        XCTAssertTrue(html.contains("Overdue since"))
        XCTAssertFalse(html.contains("Record a new alert"), "only system administrators record alerts")
    }
}
