import Foundation

/// A CPE 2.3 formatted string (`cpe:2.3:a:google:chrome:116.0.5845.140:*:*:*:*:*:*:*`): the
/// part (a application, o operating system, h hardware), vendor, product, version and the rest.
/// `*` is ANY and `-` is NA (not applicable); `\:` and other backslash escapes are kept literal.
public struct CPE: Hashable, Sendable, CustomStringConvertible {
    public static let attributeNames = ["part", "vendor", "product", "version", "update", "edition", "language", "sw_edition",
                                        "target_sw", "target_hw", "other"]
    public static let any = "*"
    public static let notApplicable = "-"

    /// The eleven attributes, unescaped and lower-cased.
    public let attributes: [String]

    public var part: String { attributes[0] }
    public var vendor: String { attributes[1] }
    public var product: String { attributes[2] }
    public var version: String { attributes[3] }
    public var update: String { attributes[4] }
    /// `vendor:product`, how the knowledge base indexes its criteria.
    public var key: String { "\(vendor):\(product)" }

    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses a formatted string, refusing anything that is not `cpe:2.3:` with 11 attributes and
    /// a part of a, o or h.
    public init(_ text: String) throws(Problem) {
        guard text.hasPrefix("cpe:2.3:") else { throw Problem(message: "'\(text.prefix(60))' is not a CPE 2.3 name (it must start cpe:2.3:)") }
        var values: [String] = []
        var current = ""
        var escaped = false
        for character in text.dropFirst(8) {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == ":" { values.append(current.lowercased()); current = ""; continue }
            current.append(character)
        }
        values.append(current.lowercased())
        guard values.count == 11 else {
            throw Problem(message: "'\(text.prefix(60))' has \(values.count) attributes after cpe:2.3: where 11 are needed")
        }
        guard ["a", "o", "h", "*"].contains(values[0]) else { throw Problem(message: "'\(values[0])' is not a CPE part (a, o or h)") }
        guard !values[1].isEmpty, !values[2].isEmpty else { throw Problem(message: "'\(text.prefix(60))' has no vendor or product") }
        attributes = values
    }

    /// Reads a 2.3 formatted string, or a CPE 2.2 URI (`cpe:/o:redhat:enterprise_linux:9::baseos`,
    /// which CVE JSON 5 records from some publishers still use): its parts in order, empty or
    /// missing ones ANY, percent-escapes decoded.
    public init(anyBinding text: String) throws(Problem) {
        guard text.hasPrefix("cpe:/") else { try self.init(text); return }
        var parts = text.dropFirst(5).split(separator: ":", omittingEmptySubsequences: false).map { part -> String in
            let decoded = String(part).removingPercentEncoding ?? String(part)
            return decoded.isEmpty ? Self.any : decoded.lowercased()
        }
        guard parts.count >= 3, ["a", "o", "h"].contains(parts[0]), parts[1] != Self.any, parts[2] != Self.any else {
            throw Problem(message: "'\(text.prefix(60))' is not a CPE name (cpe:2.3:… or cpe:/part:vendor:product…)")
        }
        parts = Array(parts.prefix(7))
        while parts.count < 11 { parts.append(Self.any) }
        try self.init("cpe:2.3:" + parts.map { $0.replacingOccurrences(of: ":", with: "\\:") }.joined(separator: ":"))
    }

    /// A name for inventory software: vendor, product and version, the rest ANY.
    public init(part: String = "a", vendor: String, product: String, version: String, update: String = CPE.any, targetHardware: String = CPE.any) {
        attributes = [part, vendor.lowercased(), product.lowercased(), version.lowercased(), update.lowercased(), Self.any, Self.any, Self.any,
                      Self.any, targetHardware.lowercased(), Self.any]
    }

    public var description: String {
        "cpe:2.3:" + attributes.map { $0.replacingOccurrences(of: ":", with: "\\:") }.joined(separator: ":")
    }

    /// Whether this criteria name (from a knowledge base) covers `target` (what a device runs),
    /// attribute by attribute except the version, which `CPEMatch` compares with ranges. ANY in
    /// the criteria covers everything; ANY on the device means "not known" and does not exclude.
    func covers(_ target: CPE, skippingVersion: Bool, from first: Int = 0) -> Bool {
        for index in first..<attributes.count where !(skippingVersion && index == 3) {
            let criteria = attributes[index], value = target.attributes[index]
            if criteria == Self.any || value == Self.any || criteria == value { continue }
            if criteria.hasSuffix("*"), !criteria.hasSuffix("\\*"), value.hasPrefix(String(criteria.dropLast())) { continue }
            return false
        }
        return true
    }
}

/// One `cpeMatch` entry of an NVD configuration: a criteria name, optional version bounds, and
/// whether it names the vulnerable component or only the platform it must run on. Bounds are
/// split into version parts once, when the entry is made, because matching compares them often.
public struct CPEMatch: Sendable {
    public let criteria: CPE
    public let vulnerable: Bool
    public let versionStartIncluding: String?
    public let versionStartExcluding: String?
    public let versionEndIncluding: String?
    public let versionEndExcluding: String?
    let startIncluding, startExcluding, endIncluding, endExcluding, exact: SoftwareVersion.Tokens?
    let hasRange: Bool
    /// Whether the criteria leaves every attribute after the version as ANY (most NVD entries do),
    /// so only part, vendor, product and version need comparing.
    let restIsAny: Bool

    public init(criteria: CPE, vulnerable: Bool, versionStartIncluding: String? = nil, versionStartExcluding: String? = nil,
                versionEndIncluding: String? = nil, versionEndExcluding: String? = nil) {
        self.criteria = criteria
        self.vulnerable = vulnerable
        self.versionStartIncluding = versionStartIncluding
        self.versionStartExcluding = versionStartExcluding
        self.versionEndIncluding = versionEndIncluding
        self.versionEndExcluding = versionEndExcluding
        startIncluding = versionStartIncluding.map(SoftwareVersion.tokens)
        startExcluding = versionStartExcluding.map(SoftwareVersion.tokens)
        endIncluding = versionEndIncluding.map(SoftwareVersion.tokens)
        endExcluding = versionEndExcluding.map(SoftwareVersion.tokens)
        exact = [CPE.any, CPE.notApplicable].contains(criteria.version) ? nil : SoftwareVersion.tokens(criteria.version)
        hasRange = versionStartIncluding != nil || versionStartExcluding != nil || versionEndIncluding != nil || versionEndExcluding != nil
        restIsAny = criteria.attributes[4...].allSatisfy { $0 == CPE.any }
    }

    /// Whether a device's CPE falls under this entry: same vendor and product and other attributes,
    /// and a version inside the range, or equal to the criteria's own version.
    public func matches(_ target: CPE) -> Bool {
        matches(target, version: [CPE.any, CPE.notApplicable].contains(target.version) ? nil : SoftwareVersion.tokens(target.version))
    }

    /// The same with the device's version already split (nil when it is ANY or NA).
    /// `sameProduct` when the caller already knows vendor and product are equal (the index's key).
    func matches(_ target: CPE, version parsed: SoftwareVersion.Tokens?, sameProduct: Bool = false) -> Bool {
        guard criteria.part == target.part || criteria.part == CPE.any || target.part == CPE.any else { return false }
        if !(sameProduct && restIsAny) {
            guard criteria.covers(target, skippingVersion: true, from: sameProduct ? 4 : 1) else { return false }
        }
        if hasRange {
            guard let parsed else { return false }
            if let start = startIncluding, SoftwareVersion.compare(parsed, start) < 0 { return false }
            if let start = startExcluding, SoftwareVersion.compare(parsed, start) <= 0 { return false }
            if let end = endIncluding, SoftwareVersion.compare(parsed, end) > 0 { return false }
            if let end = endExcluding, SoftwareVersion.compare(parsed, end) >= 0 { return false }
            return exact.map { SoftwareVersion.compare(parsed, $0) == 0 } ?? true
        }
        switch criteria.version {
        case CPE.any: return true
        case CPE.notApplicable: return target.version == CPE.notApplicable || target.version == CPE.any
        default: return parsed.map { version in exact.map { SoftwareVersion.compare(version, $0) == 0 } ?? false } ?? false
        }
    }
}
