import Foundation

/// The CISA Known Exploited Vulnerabilities catalogue (known_exploited_vulnerabilities.json).
public struct KEVCatalogue: Decodable, Sendable {
    public struct Entry: Decodable, Sendable {
        public var cveID: String
        public var vendorProject: String?
        public var product: String?
        public var vulnerabilityName: String?
        public var dateAdded: String
        public var requiredAction: String?
        public var dueDate: String?
        public var knownRansomwareCampaignUse: String?
    }

    public var title: String?
    public var catalogVersion: String
    public var dateReleased: String?
    public var vulnerabilities: [Entry]

    /// Every entry must have a CVE id and the day it was added; named by position when not.
    public func problems() -> [String] {
        var problems: [String] = []
        for (i, entry) in vulnerabilities.enumerated() {
            if !CVEIdentifier.isValid(entry.cveID) { problems.append("vulnerabilities[\(i)].cveID: '\(entry.cveID)' is not a CVE id") }
            if CalendarDay(entry.dateAdded) == nil { problems.append("vulnerabilities[\(i)].dateAdded: '\(entry.dateAdded)' is not a YYYY-MM-DD date") }
            if let due = entry.dueDate, CalendarDay(due) == nil { problems.append("vulnerabilities[\(i)].dueDate: '\(due)' is not a YYYY-MM-DD date") }
        }
        return problems
    }
}

public enum CVEIdentifier {
    /// CVE-YYYY-NNNN with four or more digits.
    public static func isValid(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "CVE" && parts[1].count == 4 && parts[1].allSatisfy(\.isNumber)
            && parts[2].count >= 4 && parts[2].allSatisfy(\.isNumber)
    }
}

/// A CVE's metrics and description, from an NVD 2.0 record (`cve.metrics`) or a CVE JSON 5 record.
public struct CVEScore: Equatable, Sendable {
    public var version: String
    public var score: Double
    public var severity: String
    public var vector: String

    /// The score Assure reports: CVSS v3 first, as Cyber Essentials' 14-day rule is written in
    /// it, then v4.0, then v2.
    public static func preferred(_ scores: [CVEScore]) -> CVEScore? {
        let order = ["3.1", "3.0", "4.0", "2.0"]
        return scores.min { (order.firstIndex(of: $0.version) ?? 9, -$0.score) < (order.firstIndex(of: $1.version) ?? 9, -$1.score) }
    }
}

/// A CVE JSON 5 record (the CVE Program's format), as the cvelistV5 and vulnrichment
/// repositories publish it, or the reduced one-line form in shared/data (id, published, cvss,
/// kev, affected). Gives its CPE applicability as NVD-style configurations where it names CPEs.
public struct CVE5Record: Sendable {
    public struct Affected: Decodable, Sendable {
        public struct Version: Decodable, Sendable {
            public var version: String
            public var status: String
            public var lessThan: String?
            public var lessThanOrEqual: String?
        }
        public var vendor: String?
        public var product: String?
        public var cpes: [String]?
        public var versions: [Version]?
    }

    public var id: String
    public var published: String?
    public var description: String?
    public var scores: [CVEScore]
    public var affected: [Affected]
    public var exploitedSince: String?

    public var bestScore: CVEScore? { CVEScore.preferred(scores) }

    /// Each affected entry with CPEs becomes an OR of cpeMatch entries: a version with `lessThan`
    /// is a range from it (or from anything, for 0 or *), a plain version is an exact match.
    public func applicability() -> Result<CVEApplicability, CPE.Problem> {
        var matches: [CPEMatch] = []
        for (a, entry) in affected.enumerated() {
            for (c, text) in (entry.cpes ?? []).enumerated() {
                let criteria: CPE
                do { criteria = try CPE(anyBinding: text) } catch { return .failure(CPE.Problem(message: "\(id) affected[\(a)].cpes[\(c)]: \(error.message)")) }
                let versions = (entry.versions ?? []).filter { $0.status == "affected" }
                if versions.isEmpty || criteria.version != CPE.any { matches.append(CPEMatch(criteria: criteria, vulnerable: true)); continue }
                for version in versions {
                    let open = ["0", "*", "", "n/a"].contains(version.version.lowercased())
                    if version.lessThan != nil || version.lessThanOrEqual != nil {
                        matches.append(CPEMatch(criteria: criteria, vulnerable: true, versionStartIncluding: open ? nil : version.version,
                                                versionEndIncluding: version.lessThanOrEqual, versionEndExcluding: version.lessThan))
                    } else if !open {
                        var attributes = criteria.attributes
                        attributes[3] = version.version.lowercased()
                        matches.append(CPEMatch(criteria: CPE(part: attributes[0], vendor: attributes[1], product: attributes[2], version: attributes[3],
                                                              update: attributes[4], targetHardware: attributes[9]), vulnerable: true))
                    }
                }
            }
        }
        let configurations = matches.isEmpty ? [] : [CVEApplicability.Configuration(nodes: [.init(matches: matches)])]
        return .success(CVEApplicability(id: id, configurations: configurations))
    }
}

extension CVE5Record: Decodable {
    private struct Metric: Decodable {
        struct CVSS: Decodable { var version: String?; var baseScore: Double; var baseSeverity: String?; var vectorString: String? }
        var cvssV4_0: CVSS?
        var cvssV3_1: CVSS?
        var cvssV3_0: CVSS?
        var cvssV2_0: CVSS?
        var all: [(String, CVSS)] { [("4.0", cvssV4_0), ("3.1", cvssV3_1), ("3.0", cvssV3_0), ("2.0", cvssV2_0)].compactMap { v, m in m.map { (v, $0) } } }
    }
    private struct Container: Decodable {
        struct Description: Decodable { var lang: String?; var value: String }
        var affected: [Affected]?
        var metrics: [Metric]?
        var descriptions: [Description]?
    }
    private struct Containers: Decodable { var cna: Container?; var adp: [Container]? }
    private struct Metadata: Decodable { var cveId: String; var datePublished: String? }
    private struct Flat: Decodable {
        struct Score: Decodable { var version: String; var score: Double; var severity: String?; var vector: String? }
        var score: [Score]?
    }
    private enum Keys: String, CodingKey { case cveMetadata, containers, id, published, cvss, kev, affected, description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.cveMetadata) {
            let metadata = try container.decode(Metadata.self, forKey: .cveMetadata)
            let containers = try container.decodeIfPresent(Containers.self, forKey: .containers)
            let all = [containers?.cna].compactMap { $0 } + (containers?.adp ?? [])
            id = metadata.cveId
            published = metadata.datePublished
            description = containers?.cna?.descriptions?.first { ($0.lang ?? "en").hasPrefix("en") }?.value
            scores = all.flatMap { ($0.metrics ?? []).flatMap(\.all) }.map { version, cvss in
                CVEScore(version: cvss.version ?? version, score: cvss.baseScore, severity: cvss.baseSeverity ?? "", vector: cvss.vectorString ?? "")
            }
            affected = all.flatMap { $0.affected ?? [] }
            exploitedSince = nil
        } else {
            struct Score: Decodable { var version: String; var score: Double; var severity: String?; var vector: String? }
            id = try container.decode(String.self, forKey: .id)
            published = try container.decodeIfPresent(String.self, forKey: .published)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            scores = (try container.decodeIfPresent([Score].self, forKey: .cvss) ?? []).map {
                CVEScore(version: $0.version, score: $0.score, severity: $0.severity ?? "", vector: $0.vector ?? "")
            }
            affected = try container.decodeIfPresent([Affected].self, forKey: .affected) ?? []
            exploitedSince = try container.decodeIfPresent(String.self, forKey: .kev)
        }
    }
}

/// A CycloneDX 1.5 or 1.6 JSON SBOM of one device: the device is `metadata.component`, its
/// operating system a component of type `operating-system`, everything else installed software.
public struct CycloneDXBOM: Decodable, Sendable {
    public struct Component: Decodable, Sendable {
        public struct Supplier: Decodable, Sendable { public var name: String? }
        public struct Property: Decodable, Sendable { public var name: String; public var value: String? }
        public var type: String
        public var name: String
        public var version: String?
        public var publisher: String?
        public var supplier: Supplier?
        public var cpe: String?
        public var purl: String?
        public var bomRef: String?
        public var properties: [Property]?
        enum CodingKeys: String, CodingKey { case type, name, version, publisher, supplier, cpe, purl, bomRef = "bom-ref", properties }
    }
    public struct Metadata: Decodable, Sendable { public var timestamp: String?; public var component: Component? }

    public var bomFormat: String
    public var specVersion: String
    public var metadata: Metadata?
    public var components: [Component]?

    /// The device and its software, or every problem by JSON path.
    public func inventory() -> Result<(InventoryDevice, [InventorySoftware]), RuleViolations<ImportProblem>> {
        var problems: [ImportProblem] = []
        if bomFormat != "CycloneDX" { problems.append(ImportProblem(line: 1, field: "bomFormat", message: "is '\(bomFormat)'; a CycloneDX SBOM says CycloneDX")) }
        if !["1.5", "1.6"].contains(specVersion) { problems.append(ImportProblem(line: 1, field: "specVersion", message: "is \(specVersion); Assure reads CycloneDX 1.5 and 1.6")) }
        guard let device = metadata?.component else {
            return .failure(RuleViolations(problems + [ImportProblem(line: 1, field: "metadata.component", message: "is missing; it names the device the SBOM describes")]))
        }
        var os = ("", "")
        var software: [InventorySoftware] = []
        for (i, component) in (components ?? []).enumerated() {
            if let cpe = component.cpe, !cpe.isEmpty { do { _ = try CPE(cpe) } catch { problems.append(ImportProblem(line: 1, field: "components[\(i)].cpe", message: error.message)) } }
            if let version = component.version, !version.isEmpty, !version.contains(where: \.isNumber) {
                problems.append(ImportProblem(line: 1, field: "components[\(i)].version", message: "'\(version)' has no version number in it"))
            }
            if component.type == "operating-system" { os = (component.name, component.version ?? ""); continue }
            software.append(InventorySoftware(name: component.name, vendor: component.publisher ?? component.supplier?.name ?? "", version: component.version ?? "",
                                              cpe: component.cpe, purl: component.purl))
        }
        guard problems.isEmpty else { return .failure(RuleViolations(problems)) }
        let property = { (name: String) in device.properties?.first { $0.name == name }?.value ?? "" }
        let type = DeviceType(text: property("assure:device-type")) ?? (device.type == "device" && os.0.lowercased().contains("server") ? .server : .workstation)
        let inventoryDevice = InventoryDevice(deviceID: device.bomRef ?? device.name, hostname: device.name, type: type, osName: os.0, osBuild: os.1,
                                              site: property("assure:site"), owner: property("assure:owner"),
                                              lastSeen: metadata?.timestamp.flatMap { CalendarDay(String($0.prefix(10))) })
        return .success((inventoryDevice, software))
    }
}
