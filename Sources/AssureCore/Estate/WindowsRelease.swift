/// A Windows release read from what inventories report (an OS name such as "Windows 10 Enterprise"
/// or "Microsoft Windows Server 2019 Datacenter", and a build such as 10.0.19045.4170), giving the
/// CPE NVD uses for it and the endoflife.date release cycle.
///
/// NVD names Windows 10 and 11 per feature release (`windows_10_22h2`, `windows_11_23h2`) with
/// build.UBR versions, Windows Server per year (`windows_server_2019`), and older releases with a
/// service pack in the update attribute (`windows_7` `sp1`). The feature release is found from the
/// build number, which every inventory has, rather than from display names, which vary.
public struct WindowsRelease: Equatable, Sendable {
    public enum Family: String, Sendable { case xp, vista, seven = "7", eight = "8", eightOne = "8.1", ten = "10", eleven = "11", server }

    public var family: Family
    /// "22H2" for Windows 10 and 11, "2019" or "2012 R2" for servers, "SP1" for Windows 7.
    public var release: String
    public var build: String
    public var longTermServicing: Bool
    public var iot: Bool

    static let windows10: [Int: String] = [10240: "1507", 10586: "1511", 14393: "1607", 15063: "1703", 16299: "1709", 17134: "1803", 17763: "1809",
                                           18362: "1903", 18363: "1909", 19041: "2004", 19042: "20H2", 19043: "21H1", 19044: "21H2", 19045: "22H2"]
    static let windows11: [Int: String] = [22000: "21H2", 22621: "22H2", 22631: "23H2", 26100: "24H2", 26200: "25H2", 28000: "26H1"]
    static let servers: [Int: String] = [3790: "2003", 6002: "2008", 7601: "2008 R2", 9200: "2012", 9600: "2012 R2", 14393: "2016", 17763: "2019",
                                         20348: "2022", 26100: "2025"]

    /// Reads an OS name and build. Nil when the name is not Windows or the build is not one Assure knows.
    public init?(name: String, build: String) {
        let lowered = name.lowercased()
        guard lowered.contains("windows") else { return nil }
        let parts = build.split(separator: ".").compactMap { Int($0) }
        let buildNumber = parts.count >= 3 ? parts[2] : (parts.count == 1 ? parts[0] : 0)
        self.build = build
        longTermServicing = lowered.contains("ltsc") || lowered.contains("ltsb")
        iot = lowered.contains("iot")
        if lowered.contains("server") {
            family = .server
            if let year = Self.servers[buildNumber] {
                release = year
            } else if let year = ["2025", "2022", "2019", "2016", "2012 r2", "2012", "2008 r2", "2008", "2003"].first(where: { lowered.contains($0) }) {
                release = year.uppercased()
            } else { return nil }
            return
        }
        if lowered.contains("xp") || buildNumber == 2600 { family = .xp; release = "SP3"; return }
        if lowered.contains("vista") || buildNumber == 6002 { family = .vista; release = "SP2"; return }
        if lowered.contains("windows 7") || buildNumber == 7601 || buildNumber == 7600 { family = .seven; release = buildNumber == 7600 ? "" : "SP1"; return }
        if buildNumber == 9600 || lowered.contains("8.1") { family = .eightOne; release = ""; return }
        if buildNumber == 9200 { family = .eight; release = ""; return }
        if let feature = Self.windows11[buildNumber], buildNumber >= 22000 { family = .eleven; release = feature; return }
        if let feature = Self.windows10[buildNumber] { family = .ten; release = feature; return }
        return nil
    }

    /// "Windows 10 22H2", "Windows Server 2019", "Windows 7 SP1".
    public var displayName: String {
        switch family {
        case .server: "Windows Server \(release)"
        case .ten, .eleven: "Windows \(family.rawValue) \(release)" + (longTermServicing ? " LTSC" : "")
        case .xp: "Windows XP"
        case .vista: "Windows Vista"
        default: "Windows \(family.rawValue)" + (release.isEmpty ? "" : " \(release)")
        }
    }

    /// The CPE of this release with its build, as NVD's entries name it.
    public var cpe: CPE {
        switch family {
        case .ten, .eleven:
            return CPE(part: "o", vendor: "microsoft", product: "windows_\(family.rawValue)_\(release.lowercased())", version: build)
        case .server:
            // 2012 R2 and 2008 R2 are `windows_server_2012` version `r2`; later servers carry the build.
            let words = release.lowercased().split(separator: " ")
            let product = "windows_server_\(words[0])"
            if words.count > 1 { return CPE(part: "o", vendor: "microsoft", product: product, version: String(words[1]), update: words[0] == "2008" ? "sp1" : CPE.any) }
            return CPE(part: "o", vendor: "microsoft", product: product, version: Int(words[0]) ?? 0 >= 2016 ? build : CPE.notApplicable)
        case .seven: return CPE(part: "o", vendor: "microsoft", product: "windows_7", version: CPE.notApplicable, update: release.lowercased().isEmpty ? CPE.notApplicable : release.lowercased())
        case .eightOne: return CPE(part: "o", vendor: "microsoft", product: "windows_8.1", version: CPE.notApplicable)
        case .eight: return CPE(part: "o", vendor: "microsoft", product: "windows_8", version: CPE.notApplicable)
        case .xp: return CPE(part: "o", vendor: "microsoft", product: "windows_xp", version: CPE.notApplicable, update: "sp3")
        case .vista: return CPE(part: "o", vendor: "microsoft", product: "windows_vista", version: CPE.notApplicable, update: "sp2")
        }
    }

    /// endoflife.date's product and the cycles to try, most specific first (Enterprise editions
    /// are what NHS estates run; LTSC and IoT have their own cycles).
    public var endOfLifeCycles: (product: String, cycles: [String]) {
        switch family {
        case .server:
            return ("windows-server", [release.lowercased().replacingOccurrences(of: " ", with: "-"), release.lowercased().replacingOccurrences(of: " ", with: "-") + "-sp1"])
        case .ten, .eleven:
            let base = "\(family.rawValue)-\(release.lowercased())"
            if iot { return ("windows", ["\(base)-iot-lts", "\(base)-e-lts", "\(base)-e", base]) }
            if longTermServicing { return ("windows", ["\(base)-e-lts", "\(base)-e", base]) }
            return ("windows", ["\(base)-e", base, "\(base)-w"])
        case .seven: return ("windows", ["7-sp1"])
        case .eightOne: return ("windows", ["8.1"])
        case .eight: return ("windows", ["8"])
        case .xp: return ("windows", ["5-sp3"])
        case .vista: return ("windows", ["6-sp2"])
        }
    }
}
