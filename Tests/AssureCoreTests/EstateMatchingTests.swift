import Foundation
import XCTest
@testable import AssureCore

/// The version comparator and CPE matching against NVD records checked by hand.
final class EstateMatchingTests: XCTestCase {
    func testVersionsOrderAsVendorsMeanThem() {
        let ordered: [(String, String)] = [
            ("1.8.0_381", "1.8.0_391"), ("10.0.19045.6332", "10.0.19045.10000"), ("4.0", "4.0e"), ("24.001.20604", "24.1.20643"),
            ("116.0.5845.140", "116.0.5845.187"), ("1.9", "1.10"), ("2.0.0", "2.0.1"), ("9", "10"), ("1.0a", "1.0b"), ("6.1.7601", "10.0.19045"),
        ]
        for (a, b) in ordered {
            XCTAssertEqual(SoftwareVersion.compare(a, b), -1, "\(a) < \(b)")
            XCTAssertEqual(SoftwareVersion.compare(b, a), 1, "\(b) > \(a)")
        }
        XCTAssertEqual(SoftwareVersion.compare("1.0", "1.0.0"), 0)
        XCTAssertEqual(SoftwareVersion.compare("24.001.20604", "24.1.20604"), 0)
        XCTAssertEqual(SoftwareVersion.compare("R2", "r2"), 0)
    }

    /// Total order: antisymmetric, transitive and consistent with equality, over random versions
    /// built from the pieces vendors use.
    func testTheComparatorIsATotalOrderOnRandomVersions() {
        var generator = SeededGenerator(seed: 20261122)
        let pieces = ["0", "1", "2", "9", "10", "001", "381", "19045", "a", "b", "e", "rc", "sp"]
        let separators = [".", "_", "-", ""]
        let versions: [String] = (0..<300).map { _ in
            (0..<Int(generator.next() % 5 + 1)).map { index in
                (index == 0 ? "" : separators[Int(generator.next() % UInt64(separators.count))]) + pieces[Int(generator.next() % UInt64(pieces.count))]
            }.joined()
        }
        for a in versions {
            XCTAssertEqual(SoftwareVersion.compare(a, a), 0)
            for b in versions.prefix(60) {
                XCTAssertEqual(SoftwareVersion.compare(a, b), -SoftwareVersion.compare(b, a), "\(a) vs \(b)")
                for c in versions.prefix(25) where SoftwareVersion.compare(a, b) <= 0 && SoftwareVersion.compare(b, c) <= 0 {
                    XCTAssertLessThanOrEqual(SoftwareVersion.compare(a, c), 0, "\(a) ≤ \(b) ≤ \(c)")
                }
            }
        }
        let sorted = versions.sorted(by: SoftwareVersion.isBefore)
        for (x, y) in zip(sorted, sorted.dropFirst()) { XCTAssertLessThanOrEqual(SoftwareVersion.compare(x, y), 0) }
    }

    func testCPENamesParseAndBadOnesAreRefused() throws {
        let chrome = try CPE("cpe:2.3:a:google:chrome:116.0.5845.140:*:*:*:*:*:*:*")
        XCTAssertEqual(chrome.key, "google:chrome")
        XCTAssertEqual(chrome.version, "116.0.5845.140")
        XCTAssertEqual(try CPE(#"cpe:2.3:a:vendor:prod\:uct:1.0:*:*:*:*:*:*:*"#).product, "prod:uct")
        XCTAssertEqual(chrome.description, "cpe:2.3:a:google:chrome:116.0.5845.140:*:*:*:*:*:*:*")
        for bad in ["cpe:/a:google:chrome:116", "cpe:2.3:a:google:chrome", "cpe:2.3:x:google:chrome:1:*:*:*:*:*:*:*", "cpe:2.3:a::chrome:1:*:*:*:*:*:*:*"] {
            XCTAssertThrowsError(try CPE(bad), bad)
        }
    }

    static func samples() throws -> [String: CVEApplicability] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "nvd2-config-samples", withExtension: "json"))
        struct Feed: Decodable { var vulnerabilities: [NVDRecord] }
        let feed = try JSONDecoder().decode(Feed.self, from: Data(contentsOf: url))
        return Dictionary(uniqueKeysWithValues: try feed.vulnerabilities.map { ($0.id, try $0.applicability().get()) })
    }

    func testChromeIsAffectedByCVE20234863OnlyBeforeTheFix() throws {
        let cve = try XCTUnwrap(try Self.samples()["CVE-2023-4863"])
        let before = CPE(vendor: "google", product: "chrome", version: "116.0.5845.140")
        let fixed = CPE(vendor: "google", product: "chrome", version: "116.0.5845.187")
        XCTAssertEqual(cve.vulnerableComponents(of: [before]), [before])
        XCTAssertEqual(cve.vulnerableComponents(of: [fixed]), [])
        XCTAssertEqual(cve.vulnerableComponents(of: [CPE(vendor: "microsoft", product: "edge", version: "117.0.2045.30")]).count, 1)
        XCTAssertEqual(cve.vulnerableComponents(of: [CPE(vendor: "microsoft", product: "edge", version: "117.0.2045.31")]), [])
    }

    func testEternalBlueNeedsSMBv1RunningOnAListedWindows() throws {
        let cve = try XCTUnwrap(try Self.samples()["CVE-2017-0144"])
        let windows7 = try CPE("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")
        let smb1 = try CPE("cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*")
        XCTAssertEqual(cve.vulnerableComponents(of: [windows7, smb1]), [smb1], "SMBv1 on Windows 7 SP1: the WannaCry case")
        XCTAssertEqual(cve.vulnerableComponents(of: [windows7]), [], "Windows 7 alone is only the platform")
        XCTAssertEqual(cve.vulnerableComponents(of: [smb1]), [], "SMBv1 without a listed Windows")
        let windows11 = try CPE("cpe:2.3:o:microsoft:windows_11_23h2:10.0.22631.4317:*:*:*:*:*:x64:*")
        XCTAssertEqual(cve.vulnerableComponents(of: [windows11, smb1]), [])
        // The medical-device configuration: firmware 4.0 up to (not including) 4.0e, on the scanner hardware.
        let scanner = try CPE("cpe:2.3:h:siemens:acuson_sc2000:-:*:*:*:*:*:*:*")
        XCTAssertEqual(cve.vulnerableComponents(of: [scanner, CPE(part: "o", vendor: "siemens", product: "acuson_sc2000_firmware", version: "4.0d")]).count, 1)
        XCTAssertEqual(cve.vulnerableComponents(of: [scanner, CPE(part: "o", vendor: "siemens", product: "acuson_sc2000_firmware", version: "4.0e")]), [])
    }

    func testBlueKeepAffectsWindows7SP1() throws {
        let cve = try XCTUnwrap(try Self.samples()["CVE-2019-0708"])
        XCTAssertEqual(cve.vulnerableComponents(of: [try CPE("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")]).count, 1)
        XCTAssertEqual(cve.vulnerableComponents(of: [try CPE("cpe:2.3:o:microsoft:windows_7:-:-:*:*:*:*:*:*")]), [], "Windows 7 without SP1 is another entry")
        XCTAssertEqual(cve.vulnerableComponents(of: [try CPE("cpe:2.3:o:microsoft:windows_10_22h2:10.0.19045.6332:*:*:*:*:*:x64:*")]), [])
    }

    func testTheIndexLooksUpEachDistinctCPEOnceAndJoinsBackToDevices() throws {
        let index = VulnerabilityIndex(Array(try Self.samples().values))
        let chrome = CPE(vendor: "google", product: "chrome", version: "116.0.5845.140")
        let windows7 = try CPE("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")
        let smb1 = try CPE("cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*")
        let device = [chrome, windows7, smb1]
        let candidates = device.flatMap(index.candidates(for:))
        XCTAssertEqual(Set(index.affectingIDs(candidates: candidates)), ["CVE-2023-4863", "CVE-2017-0144", "CVE-2019-0708"])
        XCTAssertEqual(index.candidates(for: CPE(vendor: "google", product: "chrome", version: "117.0.5938.62")), [])
        XCTAssertEqual(index.affectingIDs(candidates: index.candidates(for: windows7)), ["CVE-2019-0708"], "EternalBlue needs SMBv1 too")
    }

    func testWindowsBuildUBRRanges() throws {
        let entry = CPEMatch(criteria: try CPE("cpe:2.3:o:microsoft:windows_10_22h2:*:*:*:*:*:*:x64:*"), vulnerable: true,
                             versionEndExcluding: "10.0.19045.4170")
        XCTAssertTrue(entry.matches(try CPE("cpe:2.3:o:microsoft:windows_10_22h2:10.0.19045.3930:*:*:*:*:*:x64:*")))
        XCTAssertFalse(entry.matches(try CPE("cpe:2.3:o:microsoft:windows_10_22h2:10.0.19045.4170:*:*:*:*:*:x64:*")), "the fixed build")
        XCTAssertFalse(entry.matches(try CPE("cpe:2.3:o:microsoft:windows_10_22h2:10.0.19045.10000:*:*:*:*:*:x64:*")), "a later UBR, not a string compare")
        XCTAssertFalse(entry.matches(try CPE("cpe:2.3:o:microsoft:windows_10_22h2:10.0.19045.3930:*:*:*:*:*:arm64:*")), "another architecture")
        XCTAssertFalse(entry.matches(try CPE("cpe:2.3:o:microsoft:windows_10_22h2:*:*:*:*:*:*:x64:*")), "an unknown build is not assumed vulnerable")
    }

    func testABadCriteriaIsReportedWithItsPlace() throws {
        let json = #"{"id":"CVE-2099-0001","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"criteria":"cpe:/a:x:y","vulnerable":true}]}]}]}"#
        let record = try JSONDecoder().decode(NVDRecord.self, from: Data(json.utf8))
        guard case .failure(let problem) = record.applicability() else { return XCTFail("accepted a bad CPE") }
        XCTAssertTrue(problem.message.hasPrefix("CVE-2099-0001 configurations[0].nodes[0].cpeMatch[0].criteria: "), problem.message)
    }
}
