/// Inventory tools name software as installers do ("Google Chrome", "7-Zip 23.01 (x64)",
/// "Java 8 Update 381"); the knowledge base names it as CPE vendor:product (`google:chrome`,
/// `7-zip:7-zip`, `oracle:jre`). A title mapping joins the two: a rule matches a title by the
/// start of its normalised name (and vendor, when given), and the longest pattern wins.
public struct TitleRule: Equatable, Hashable, Sendable, Codable {
    /// Normalised name prefix: lower case, words separated by single spaces ("adobe acrobat reader").
    public var namePattern: String
    /// Normalised vendor prefix, or empty for any vendor.
    public var vendorPattern: String
    public var part: String
    public var cpeVendor: String
    public var cpeProduct: String

    public init(name: String, vendor: String = "", part: String = "a", cpeVendor: String, cpeProduct: String) {
        namePattern = TitleMapping.normalise(name)
        vendorPattern = TitleMapping.normalise(vendor)
        self.part = part
        self.cpeVendor = cpeVendor.lowercased()
        self.cpeProduct = cpeProduct.lowercased()
    }

    public var key: String { "\(cpeVendor):\(cpeProduct)" }

    /// Checks a rule someone typed: both patterns and the CPE parts must be usable.
    public func problems() -> [RuleError] {
        var problems: [RuleError] = []
        if namePattern.isEmpty { problems.append(RuleError(field: "name_pattern", message: "Enter the start of the software title, for example Google Chrome")) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-.+!~")
        for (field, value) in [("cpe_vendor", cpeVendor), ("cpe_product", cpeProduct)] {
            if value.isEmpty { problems.append(RuleError(field: field, message: "Enter the CPE \(field == "cpe_vendor" ? "vendor" : "product"), for example \(field == "cpe_vendor" ? "google" : "chrome")")) }
            else if !value.allSatisfy(allowed.contains) {
                problems.append(RuleError(field: field, message: "'\(value)' may hold only lower-case letters, digits and _ - . + ! ~ as CPE names do"))
            }
        }
        if !["a", "o", "h"].contains(part) { problems.append(RuleError(field: "part", message: "The CPE part is a (application), o (operating system) or h (hardware)")) }
        return problems
    }
}

public struct TitleMapping: Sendable {
    public let rules: [TitleRule]
    private let byFirstWord: [String: [TitleRule]]

    public init(_ rules: [TitleRule]) {
        // Longest pattern first, so "microsoft edge webview2" beats "microsoft edge".
        self.rules = rules.sorted { ($0.namePattern.count, $0.vendorPattern.count) > ($1.namePattern.count, $1.vendorPattern.count) }
        byFirstWord = Dictionary(grouping: self.rules, by: { $0.namePattern.split(separator: " ").first.map(String.init) ?? "" })
    }

    /// Lower case, every run of other than letters, digits and `+` becomes one space.
    public static func normalise(_ text: String) -> String {
        var out = ""
        var space = false
        for scalar in text.lowercased().unicodeScalars {
            if (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "+") && scalar.isASCII {
                if space, !out.isEmpty { out.append(" ") }
                out.unicodeScalars.append(scalar)
                space = false
            } else { space = true }
        }
        return out
    }

    /// The rule for a title, or nil when none matches (the title is then listed as unmapped).
    public func rule(name: String, vendor: String) -> TitleRule? {
        let normalisedName = Self.normalise(name), normalisedVendor = Self.normalise(vendor)
        guard let first = normalisedName.split(separator: " ").first else { return nil }
        for rule in byFirstWord[String(first)] ?? [] {
            guard normalisedName == rule.namePattern || normalisedName.hasPrefix(rule.namePattern + " ") else { continue }
            if !rule.vendorPattern.isEmpty, !normalisedVendor.hasPrefix(rule.vendorPattern) { continue }
            return rule
        }
        return nil
    }

    /// A CPE for an installed title: from the CPE the inventory gave, or through a rule.
    public func cpe(name: String, vendor: String, version: String, given: String?) -> CPE? {
        if let given, !given.isEmpty, let parsed = try? CPE(given) {
            if parsed.version == CPE.any, !version.isEmpty {
                return CPE(part: parsed.part, vendor: parsed.vendor, product: parsed.product, version: InventoryVersion.clean(version), update: parsed.update)
            }
            return parsed
        }
        guard let rule = rule(name: name, vendor: vendor) else { return nil }
        return CPE(part: rule.part, vendor: rule.cpeVendor, product: rule.cpeProduct, version: InventoryVersion.clean(version))
    }

    /// Defaults for NHS desktop estates. Names as Windows "Programs and Features", Intune,
    /// Configuration Manager and Defender report them; products as NVD's CPE dictionary names them.
    public static let nhsDefaults: [TitleRule] = [
        TitleRule(name: "Google Chrome", cpeVendor: "google", cpeProduct: "chrome"),
        TitleRule(name: "chrome", vendor: "google", cpeVendor: "google", cpeProduct: "chrome"),
        TitleRule(name: "Microsoft Edge", cpeVendor: "microsoft", cpeProduct: "edge_chromium"),
        TitleRule(name: "edge", vendor: "microsoft", cpeVendor: "microsoft", cpeProduct: "edge_chromium"),
        TitleRule(name: "edge chromium", vendor: "microsoft", cpeVendor: "microsoft", cpeProduct: "edge_chromium"),
        TitleRule(name: "Mozilla Firefox ESR", cpeVendor: "mozilla", cpeProduct: "firefox_esr"),
        TitleRule(name: "Mozilla Firefox", cpeVendor: "mozilla", cpeProduct: "firefox"),
        TitleRule(name: "firefox", vendor: "mozilla", cpeVendor: "mozilla", cpeProduct: "firefox"),
        TitleRule(name: "Adobe Acrobat Reader", cpeVendor: "adobe", cpeProduct: "acrobat_reader_dc"),
        TitleRule(name: "Adobe Acrobat DC", cpeVendor: "adobe", cpeProduct: "acrobat_dc"),
        TitleRule(name: "Adobe Acrobat", cpeVendor: "adobe", cpeProduct: "acrobat_dc"),
        TitleRule(name: "acrobat reader", vendor: "adobe", cpeVendor: "adobe", cpeProduct: "acrobat_reader_dc"),
        TitleRule(name: "Java", vendor: "oracle", cpeVendor: "oracle", cpeProduct: "jre"),
        TitleRule(name: "Java 8 Update", cpeVendor: "oracle", cpeProduct: "jre"),
        TitleRule(name: "jre", vendor: "oracle", cpeVendor: "oracle", cpeProduct: "jre"),
        TitleRule(name: "Java SE Development Kit", cpeVendor: "oracle", cpeProduct: "jdk"),
        TitleRule(name: "jdk", vendor: "oracle", cpeVendor: "oracle", cpeProduct: "jdk"),
        TitleRule(name: "OpenJDK", cpeVendor: "oracle", cpeProduct: "openjdk"),
        TitleRule(name: "Eclipse Temurin JDK", cpeVendor: "oracle", cpeProduct: "openjdk"),
        TitleRule(name: "Microsoft Build of OpenJDK", cpeVendor: "oracle", cpeProduct: "openjdk"),
        TitleRule(name: "Citrix Workspace", cpeVendor: "citrix", cpeProduct: "workspace"),
        TitleRule(name: "workspace", vendor: "citrix", cpeVendor: "citrix", cpeProduct: "workspace"),
        TitleRule(name: "Microsoft 365 Apps", cpeVendor: "microsoft", cpeProduct: "365_apps"),
        TitleRule(name: "Microsoft Office 365", cpeVendor: "microsoft", cpeProduct: "365_apps"),
        TitleRule(name: "7-Zip", cpeVendor: "7-zip", cpeProduct: "7-zip"),
        TitleRule(name: "Notepad++", cpeVendor: "notepad-plus-plus", cpeProduct: "notepad++"),
        TitleRule(name: "notepad++", vendor: "notepad", cpeVendor: "notepad-plus-plus", cpeProduct: "notepad++"),
        TitleRule(name: "VLC media player", cpeVendor: "videolan", cpeProduct: "vlc_media_player"),
        TitleRule(name: "vlc", vendor: "videolan", cpeVendor: "videolan", cpeProduct: "vlc_media_player"),
        TitleRule(name: "Zoom Workplace", cpeVendor: "zoom", cpeProduct: "zoom"),
        TitleRule(name: "Zoom", cpeVendor: "zoom", cpeProduct: "zoom"),
        TitleRule(name: "zoom", vendor: "zoom", cpeVendor: "zoom", cpeProduct: "zoom"),
        TitleRule(name: "Microsoft Teams", cpeVendor: "microsoft", cpeProduct: "teams"),
        TitleRule(name: "PuTTY", cpeVendor: "putty", cpeProduct: "putty"),
        TitleRule(name: "WinSCP", cpeVendor: "winscp", cpeProduct: "winscp"),
        TitleRule(name: "WinRAR", cpeVendor: "rarlab", cpeProduct: "winrar"),
    ]
}

/// Versions as inventories report them, made comparable: "8 Update 381" → "1.8.0_381" (Java's own
/// form, which NVD uses), "23.01 (x64)" → "23.01", surrounding spaces gone.
public enum InventoryVersion {
    public static func clean(_ version: String) -> String {
        var text = version.trimmingCharacters(in: .whitespaces)
        if let bracket = text.firstIndex(of: "(") { text = String(text[..<bracket]).trimmingCharacters(in: .whitespaces) }
        let lowered = text.lowercased()
        if let range = lowered.range(of: " update ") {
            let major = lowered[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let update = lowered[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if let number = Int(major), number <= 8, Int(update) != nil { return "1.\(number).0_\(update)" }
        }
        return text.isEmpty ? CPE.any : text
    }
}
