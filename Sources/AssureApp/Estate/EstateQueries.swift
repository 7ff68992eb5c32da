import AssureCore
import Foundation
import SQLKit
import Vapor

/// The estate's reads, shared by pages, CSV and the API.
enum EstateQueries {
    /// Which devices a list shows.
    enum Exposure: String, CaseIterable, Sendable {
        case all, kev, unsupportedOS = "unsupported-os", unsupported, critical, noncompliant, clinical

        var label: String {
            switch self {
            case .all: "All devices"
            case .kev: "Exposed to known-exploited vulnerabilities"
            case .unsupportedOS: "Unsupported operating system"
            case .unsupported: "Any unsupported software"
            case .critical: "Critical or high severity"
            case .noncompliant: "Not patch compliant"
            case .clinical: "Supporting clinical systems"
            }
        }

        var needsResults: Bool { self != .all && self != .clinical }

        func condition(_ organisation: UUID) -> SQLQueryString {
            switch self {
            case .all: "1 = 1"
            case .kev: "r.organisation_id = \(bind: organisation) AND r.kev_count > 0"
            case .unsupportedOS: "r.unsupported_os = \(bind: true)"
            case .unsupported: "r.unsupported_count > 0"
            case .critical: "r.severity >= \(bind: Severity.high.rawValue)"
            case .noncompliant: "r.patch_compliant = \(bind: false)"
            case .clinical: "d.clinical = \(bind: true)"
            }
        }
    }

    struct Device: Content {
        var device_id: String
        var hostname: String
        var type: String
        var os: String
        var os_build: String
        var site: String
        var owner: String
        var criticality: String
        var clinical: Bool
        var last_seen: String?
        var source: String
        var cves: Int
        var known_exploited: Int
        var ransomware: Bool
        var highest_score: Double?
        var severity: String
        var unsupported: Int
        var unsupported_os: Bool
        var patch_compliant: Bool
        var analysed_on: String?
    }

    static let deviceColumns: SQLQueryString = """
        d.id, d.device_key, d.hostname, d.device_type, d.os_name, d.os_build, d.site, d.owner, d.criticality, d.clinical, d.last_seen, d.source, d.software_set,
        r.cve_count, r.kev_count, r.ransomware, r.highest_score, r.severity, r.unsupported_count, r.unsupported_os, r.patch_compliant, r.analysed_on
        """

    static func device(_ row: any SQLRow) throws -> Device {
        let os = try row.decode(column: "os_name", as: String.self), build = try row.decode(column: "os_build", as: String.self)
        return Device(device_id: try row.decode(column: "device_key", as: String.self), hostname: try row.decode(column: "hostname", as: String.self),
                      type: try row.decode(column: "device_type", as: String.self), os: WindowsRelease(name: os, build: build)?.displayName ?? os, os_build: build,
                      site: try row.decode(column: "site", as: String.self), owner: try row.decode(column: "owner", as: String.self),
                      criticality: try row.decode(column: "criticality", as: String.self), clinical: try row.decode(column: "clinical", as: Bool.self),
                      last_seen: try row.decode(column: "last_seen", as: String?.self), source: try row.decode(column: "source", as: String.self),
                      cves: try row.decode(column: "cve_count", as: Int?.self) ?? 0, known_exploited: try row.decode(column: "kev_count", as: Int?.self) ?? 0,
                      ransomware: try row.decode(column: "ransomware", as: Bool?.self) ?? false, highest_score: try row.decode(column: "highest_score", as: Double?.self),
                      severity: Severity(rawValue: try row.decode(column: "severity", as: Int?.self) ?? 0)?.name ?? "none",
                      unsupported: try row.decode(column: "unsupported_count", as: Int?.self) ?? 0,
                      unsupported_os: try row.decode(column: "unsupported_os", as: Bool?.self) ?? false,
                      patch_compliant: try row.decode(column: "patch_compliant", as: Bool?.self) ?? true, analysed_on: try row.decode(column: "analysed_on", as: String?.self))
    }

    /// A page of devices, worst first: known-exploited, then severity, then score.
    static func devices(of organisation: UUID, exposure: Exposure, search: String, limit: Int, offset: Int, on sql: any SQLDatabase) async throws -> (total: Int, devices: [Device]) {
        let searchClause: SQLQueryString = search.isEmpty ? "1 = 1" : "(LOWER(d.hostname) LIKE \(bind: "%\(search.lowercased())%") OR LOWER(d.device_key) LIKE \(bind: "%\(search.lowercased())%"))"
        // A filter on the analysis's figures needs its row: an inner join lets the database start
        // from the figures' index (a handful of known-exploited devices among 60,000).
        let join: SQLQueryString = exposure.needsResults ? "JOIN" : "LEFT JOIN"
        let from: SQLQueryString = """
            FROM estate_devices d \(join) estate_device_results r ON r.device_id = d.id
            WHERE d.organisation_id = \(bind: organisation) AND \(exposure.condition(organisation)) AND \(searchClause)
            """
        let total = try await sql.raw("SELECT COUNT(*) AS n \(from)").first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await sql.raw("""
            SELECT \(deviceColumns) \(from)
            ORDER BY r.kev_count DESC, r.severity DESC, r.highest_score DESC, d.hostname LIMIT \(unsafeRaw: String(limit)) OFFSET \(unsafeRaw: String(offset))
            """).all()
        return (total, try rows.map(device))
    }

    /// The organisation's software rows and the published analysis's findings of the title they
    /// are (the inventory's name, vendor, version and CPE, as the analysis keyed them).
    static func titleJoin(_ organisation: UUID) -> SQLQueryString {
        """
        s.organisation_id = \(bind: organisation) AND f.analysis_id = \(AnalysisPublication.current(organisation)) AND f.source = 'software'
        AND f.name = s.name AND f.vendor = s.vendor AND f.version = s.version AND f.cpe = COALESCE(s.cpe, '')
        """
    }

    /// The organisation's devices (`d`) with any of these CVEs: through software they run, their
    /// operating system, or only their combination of components.
    static func affected(by cves: [String], organisation: UUID) -> SQLQueryString {
        """
        (d.software_set IN (SELECT s.software_set FROM estate_title_findings f JOIN estate_software s ON \(titleJoin(organisation))
                  WHERE f.kind = 'cve' AND f.reference IN (\(binds: cves)))
         OR (d.os_name, d.os_build) IN (SELECT name, version FROM estate_title_findings
                  WHERE analysis_id = \(AnalysisPublication.current(organisation)) AND source = 'os' AND kind = 'cve' AND reference IN (\(binds: cves)))
         OR d.id IN (SELECT device_id FROM estate_findings
                  WHERE analysis_id = \(AnalysisPublication.current(organisation)) AND kind = 'cve' AND reference IN (\(binds: cves))))
        """
    }

    struct DeviceDetail: Content {
        struct Software: Content { var name: String; var vendor: String; var version: String; var cpe: String? }
        struct Finding: Content { var cve: String; var score: Double?; var severity: String; var known_exploited: Bool; var ransomware: Bool; var published: String? }
        struct Unsupported: Content { var lifecycle: String; var component: String; var end_of_life: String }
        var device: Device
        var software: [Software]
        var vulnerabilities: [Finding]
        var unsupported: [Unsupported]
    }

    static func device(_ key: String, of organisation: UUID, knowledge: KnowledgeBase, mapping: TitleMapping, on sql: any SQLDatabase) async throws -> DeviceDetail? {
        guard let row = try await sql.raw("""
            SELECT \(deviceColumns) FROM estate_devices d LEFT JOIN estate_device_results r ON r.device_id = d.id
            WHERE d.organisation_id = \(bind: organisation) AND d.device_key = \(bind: key)
            """).first() else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        let softwareSet = try row.decode(column: "software_set", as: UUID?.self)
        let software = try await sql.raw("""
            SELECT name, vendor, version, cpe FROM estate_software WHERE organisation_id = \(bind: organisation) AND software_set = \(bind: softwareSet) ORDER BY name
            """).all().map { row in
            let name = try row.decode(column: "name", as: String.self), vendor = try row.decode(column: "vendor", as: String.self), version = try row.decode(column: "version", as: String.self)
            return DeviceDetail.Software(name: name, vendor: vendor, version: version,
                                         cpe: mapping.cpe(name: name, vendor: vendor, version: version, given: try row.decode(column: "cpe", as: String?.self))?.description)
        }
        var vulnerabilities: [DeviceDetail.Finding] = []
        var unsupported: [DeviceDetail.Unsupported] = []
        let findings = try await sql.raw("""
            SELECT f.kind, f.reference, f.component FROM estate_software s JOIN estate_title_findings f ON \(titleJoin(organisation))
            WHERE s.software_set = \(bind: softwareSet)
            UNION SELECT kind, reference, component FROM estate_title_findings
            WHERE analysis_id = \(AnalysisPublication.current(organisation)) AND source = 'os' AND name = \(bind: try row.decode(column: "os_name", as: String.self))
              AND version = \(bind: try row.decode(column: "os_build", as: String.self))
            UNION SELECT kind, reference, component FROM estate_findings WHERE device_id = \(bind: id) AND analysis_id = \(AnalysisPublication.current(organisation))
            """).all()
        for finding in findings {
            let reference = try finding.decode(column: "reference", as: String.self)
            if try finding.decode(column: "kind", as: String.self) == "eol" {
                let parts = try finding.decode(column: "component", as: String.self).split(separator: "|", omittingEmptySubsequences: false)
                unsupported.append(.init(lifecycle: reference, component: String(parts.first ?? ""), end_of_life: parts.count > 1 ? String(parts[1]) : ""))
            } else {
                let fact = knowledge.index.record(for: reference).map { knowledge.facts[$0] }
                vulnerabilities.append(.init(cve: reference, score: fact?.score, severity: fact?.severity.name ?? "none", known_exploited: fact?.knownExploited ?? false,
                                             ransomware: fact?.ransomware ?? false, published: fact?.published?.description))
            }
        }
        vulnerabilities.sort { ($0.known_exploited ? 1 : 0, $0.score ?? 0, $0.cve) > ($1.known_exploited ? 1 : 0, $1.score ?? 0, $1.cve) }
        return DeviceDetail(device: try device(row), software: software, vulnerabilities: vulnerabilities, unsupported: unsupported)
    }

    struct Vulnerability: Content {
        var cve: String
        var description: String?
        var published: String?
        var score: Double?
        var cvss_version: String?
        var vector: String?
        var severity: String
        var known_exploited_since: String?
        var ransomware: Bool
        var required_action: String?
        var kev_due: String?
        var affected_devices: Int
        var devices: [Device]
    }

    static func vulnerability(_ cve: String, of organisation: UUID, knowledge: KnowledgeBase, on sql: any SQLDatabase) async throws -> Vulnerability? {
        var details: (any SQLRow)?
        for table in ["kb_nvd", "kb_cve5"] where details == nil {
            details = try await sql.raw("SELECT description, published, score, cvss_version, vector FROM \(ident: table) WHERE cve_id = \(bind: cve)").first()
        }
        guard let details else { return nil }
        let kev = try await sql.raw("SELECT date_added, due_date, required_action, ransomware FROM kb_kev WHERE cve_id = \(bind: cve)").first()
        let fact = knowledge.index.record(for: cve).map { knowledge.facts[$0] }
        let from: SQLQueryString = """
            FROM estate_devices d LEFT JOIN estate_device_results r ON r.device_id = d.id
            WHERE d.organisation_id = \(bind: organisation) AND \(affected(by: [cve], organisation: organisation))
            """
        let count = try await sql.raw("SELECT COUNT(*) AS n \(from)").first()?.decode(column: "n", as: Int.self) ?? 0
        let devices = try await sql.raw("SELECT \(deviceColumns) \(from) ORDER BY d.hostname LIMIT 500").all().map(device)
        let storedScore = try details.decode(column: "score", as: Double?.self)
        return Vulnerability(cve: cve, description: try details.decode(column: "description", as: String?.self),
                             published: try details.decode(column: "published", as: String?.self), score: fact?.score ?? storedScore,
                             cvss_version: try details.decode(column: "cvss_version", as: String?.self), vector: try details.decode(column: "vector", as: String?.self),
                             severity: fact?.severity.name ?? "none", known_exploited_since: (try kev?.decode(column: "date_added", as: String.self)) ?? fact?.exploitedSince?.description,
                             ransomware: (try kev?.decode(column: "ransomware", as: Bool.self)) ?? false, required_action: try kev?.decode(column: "required_action", as: String?.self),
                             kev_due: try kev?.decode(column: "due_date", as: String?.self), affected_devices: count, devices: devices)
    }

    struct TopVulnerability: Content { var cve: String; var devices: Int; var score: Double?; var severity: String; var known_exploited: Bool; var ransomware: Bool }

    struct UnsupportedCycle: Content { var lifecycle: String; var end_of_life: String; var devices: Int }

    struct UnmappedTitle: Content { var name: String; var vendor: String; var devices: Int; var versions: Int }

    /// Installed titles no rule maps and the inventory gave no CPE for.
    static func unmapped(of organisation: UUID, mapping: TitleMapping, on sql: any SQLDatabase) async throws -> [UnmappedTitle] {
        let rows = try await sql.raw("""
            SELECT s.name, s.vendor, COUNT(DISTINCT d.id) AS n, COUNT(DISTINCT s.version) AS v
            FROM estate_devices d JOIN estate_software s ON s.organisation_id = d.organisation_id AND s.software_set = d.software_set
            WHERE d.organisation_id = \(bind: organisation) AND (s.cpe IS NULL OR s.cpe = '') GROUP BY s.name, s.vendor
            """).all()
        return try rows.compactMap { row in
            let name = try row.decode(column: "name", as: String.self), vendor = try row.decode(column: "vendor", as: String.self)
            guard mapping.rule(name: name, vendor: vendor) == nil else { return nil }
            return UnmappedTitle(name: name, vendor: vendor, devices: try row.decode(column: "n", as: Int.self), versions: try row.decode(column: "v", as: Int.self))
        }.sorted { ($0.devices, $1.name) > ($1.devices, $0.name) }
    }
}

extension EstateQueries {
    /// The device list's exposure, search and page, as the page's query string and the API's give them.
    static func deviceFilter(_ req: Request) throws -> (Exposure, String, Int) {
        let raw = (try? req.query.get(String.self, at: "exposure")) ?? "all"
        guard let exposure = Exposure(rawValue: raw) else {
            throw AssureError.invalid([RuleError(field: "exposure", message: "'\(raw)' is not a filter; use \(Exposure.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        let search = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        let pageText = (try? req.query.get(String.self, at: "page")) ?? "1"
        guard let page = Int(pageText), page >= 1, page <= 100_000 else { throw AssureError.invalid([RuleError(field: "page", message: "Enter a page number from 1")]) }
        return (exposure, String(search.prefix(100)), page)
    }
}
