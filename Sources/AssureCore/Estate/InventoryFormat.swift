import Foundation

/// The fields Assure reads from an inventory row, and the column names each export format uses
/// for them. A row is a device, or a device and one installed title (exports that list software
/// give one row per device and title; the device's fields repeat).
public enum InventoryField: String, CaseIterable, Sendable {
    case deviceID = "device_id", hostname, type
    case osName = "os_name", osBuild = "os_build"
    case site, owner, criticality, clinical
    case lastSeen = "last_seen"
    case softwareName = "software_name", softwareVendor = "software_vendor", softwareVersion = "software_version"
    case softwareCPE = "software_cpe", softwarePurl = "software_purl"
}

public struct InventoryFormat: Sendable {
    public var id: String
    public var title: String
    /// Column names that may hold each field, in order of preference (compared case-insensitively).
    public var columns: [InventoryField: [String]]
    /// Whether columns the format does not name are refused (the generic format) or ignored (a
    /// product's export, which carries many columns Assure has no use for).
    public var refusesUnknownColumns: Bool

    public static let generic = InventoryFormat(id: "csv", title: "Assure inventory CSV",
                                                columns: Dictionary(uniqueKeysWithValues: InventoryField.allCases.map { ($0, [$0.rawValue]) }),
                                                refusesUnknownColumns: true)

    /// Intune: Devices › All devices › Export. One row per device; no software.
    public static let intune = InventoryFormat(id: "intune", title: "Microsoft Intune device export", columns: [
        .deviceID: ["Device ID", "Intune Device ID"], .hostname: ["Device name"], .osName: ["OS"], .osBuild: ["OS version"],
        .owner: ["Primary user UPN", "Primary user email address"], .lastSeen: ["Last check-in"], .type: ["Chassis type", "Device type"],
        .site: ["Category"],
    ], refusesUnknownColumns: false)

    /// Configuration Manager: a hardware and software inventory query joining v_R_System,
    /// v_GS_OPERATING_SYSTEM and v_GS_ADD_REMOVE_PROGRAMS, one row per device and title.
    public static let sccm = InventoryFormat(id: "sccm", title: "Microsoft Configuration Manager inventory export", columns: [
        .deviceID: ["ResourceID", "Resource ID"], .hostname: ["Netbios_Name0", "Name0", "Name"], .osName: ["Caption0", "Operating_System_Name_and0"],
        .osBuild: ["BuildExt", "Version0 (OS)", "Build01"], .owner: ["User_Name0", "Last Logon User"], .site: ["AD_Site_Name0", "Site"],
        .lastSeen: ["LastHWScan", "Last_Logon_Timestamp0"], .type: ["ChassisTypes0", "Chassis"],
        .softwareName: ["DisplayName0", "ProductName0"], .softwareVendor: ["Publisher0"], .softwareVersion: ["Version0", "ProductVersion0"],
    ], refusesUnknownColumns: false)

    /// Defender for Endpoint: the DeviceTvmSoftwareInventory table exported from advanced hunting.
    /// Windows itself is a row (vendor microsoft, name windows_11); it becomes the device's OS.
    public static let defender = InventoryFormat(id: "defender", title: "Microsoft Defender for Endpoint software inventory", columns: [
        .deviceID: ["DeviceId"], .hostname: ["DeviceName"], .osName: ["OSPlatform"], .osBuild: ["OSVersion"],
        .softwareVendor: ["SoftwareVendor"], .softwareName: ["SoftwareName"], .softwareVersion: ["SoftwareVersion"], .softwareCPE: ["ProductCodeCpe"],
        .lastSeen: ["Timestamp"],
    ], refusesUnknownColumns: false)

    public static let all: [InventoryFormat] = [generic, intune, sccm, defender]
    public static func named(_ id: String) -> InventoryFormat? { all.first { $0.id == id.lowercased() } }
}

/// Which column holds each field, worked out once from the header line.
public struct InventoryColumns: Sendable {
    public let positions: [InventoryField: Int]
    public let width: Int

    /// Reads the header. `mapping` names the column for a field (`device_id=Serial Number`), for
    /// files whose headers differ from the format's. Refuses a file without a device id column,
    /// a mapping to a missing column, and, for the generic format, columns it does not know.
    public static func read(header: [String], format: InventoryFormat, mapping: [String: String] = [:]) -> Result<InventoryColumns, RuleViolations<ImportProblem>> {
        var problems: [ImportProblem] = []
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}")) }
        let lowered = names.map { $0.lowercased() }
        var positions: [InventoryField: Int] = [:]
        for (key, column) in mapping {
            guard let field = InventoryField(rawValue: key) else {
                problems.append(ImportProblem(line: 1, field: key, message: "is not a field Assure reads; the fields are \(InventoryField.allCases.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            guard let position = lowered.firstIndex(of: column.lowercased()) else {
                problems.append(ImportProblem(line: 1, field: key, message: "the mapped column '\(column)' is not in the header"))
                continue
            }
            positions[field] = position
        }
        for field in InventoryField.allCases where positions[field] == nil {
            for candidate in format.columns[field] ?? [] {
                if let position = lowered.firstIndex(of: candidate.lowercased()) { positions[field] = position; break }
            }
        }
        if positions[.deviceID] == nil {
            let wanted = format.columns[.deviceID]?.joined(separator: " or ") ?? "device_id"
            problems.append(ImportProblem(line: 1, field: "device_id", message: "no column holds the device id (expected \(wanted), or map one with device_id=COLUMN)"))
        }
        if format.refusesUnknownColumns {
            let used = Set(positions.values)
            for (position, name) in names.enumerated() where !used.contains(position) {
                problems.append(ImportProblem(line: 1, field: name.isEmpty ? "column \(position + 1)" : name,
                                              message: "is not a column Assure reads; the columns are \(InventoryField.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        return problems.isEmpty ? .success(InventoryColumns(positions: positions, width: names.count)) : .failure(RuleViolations(problems))
    }
}

/// One inventory row read and checked: the device's fields and, where the row names one, a title.
public struct InventoryRow: Sendable {
    public var device: InventoryDevice
    public var software: InventorySoftware?

    public init(device: InventoryDevice, software: InventorySoftware?) {
        self.device = device
        self.software = software
    }

    /// Checks every field of one row and names each problem by line and column.
    public static func read(_ values: [String], line: Int, columns: InventoryColumns) -> Result<InventoryRow, RuleViolations<ImportProblem>> {
        var reader = InventoryRowReader(columns: columns)
        return reader.read(values, line: line)
    }

    /// Whether the row is Windows listed as software (Defender does), which sets the device's OS.
    public internal(set) var setsOperatingSystem = false
}

/// Reads an export's rows in order. Exports repeat a device's fields on every one of its titles'
/// rows, so a row whose device fields are the row before's reuses that device instead of
/// checking them again (a million-row import checks each device once, not seventeen times).
public struct InventoryRowReader: Sendable {
    public let columns: InventoryColumns
    private let devicePositions: [Int]
    private var last: (values: [String], device: InventoryDevice)?

    public init(columns: InventoryColumns) {
        self.columns = columns
        devicePositions = InventoryField.allCases.filter { !$0.rawValue.hasPrefix("software_") }.compactMap { columns.positions[$0] }.sorted()
    }

    public mutating func read(_ values: [String], line: Int) -> Result<InventoryRow, RuleViolations<ImportProblem>> {
        guard values.count == columns.width else {
            return .failure(RuleViolations([ImportProblem(line: line, field: "row", message: "has \(values.count) fields where the header has \(columns.width)")]))
        }
        var fields = RowFields(values: values, line: line, columns: columns)
        let key = devicePositions.map { values[$0] }
        var device: InventoryDevice
        if let last, last.values == key { device = last.device } else {
            device = fields.device()
            last = fields.problems.isEmpty ? (key, device) : nil
        }
        var row = InventoryRow(device: device, software: nil)
        fields.software(into: &row)
        return fields.problems.isEmpty ? .success(row) : .failure(RuleViolations(fields.problems))
    }
}

/// One row's fields, trimmed, with the problems found in them.
struct RowFields {
    let values: [String]
    let line: Int
    let columns: InventoryColumns
    var problems: [ImportProblem] = []

    init(values: [String], line: Int, columns: InventoryColumns) {
        self.values = values
        self.line = line
        self.columns = columns
    }

    func value(_ field: InventoryField) -> String {
        guard let position = columns.positions[field] else { return "" }
        let text = values[position].trimmingSpaces
        // The placeholders exports write for "no value"; none is longer than 13 bytes.
        return text.utf8.count <= 13 && InventoryRow.placeholders.contains(text.lowercased()) ? "" : text
    }

    mutating func problem(_ field: InventoryField, _ message: String) { problems.append(ImportProblem(line: line, field: field.rawValue, message: message)) }

    mutating func device() -> InventoryDevice {
        let deviceID = value(.deviceID)
        if deviceID.isEmpty { problem(.deviceID, "is empty; every row needs the device's id") }
        if deviceID.count > 200 { problem(.deviceID, "is longer than 200 characters") }
        let osName = InventoryRow.readableOS(value(.osName)), osBuild = value(.osBuild)
        if !osBuild.isEmpty, !osBuild.allSatisfy({ $0.isNumber || $0 == "." }) || !osBuild.contains(where: \.isNumber) {
            problem(.osBuild, "'\(osBuild)' is not a build number such as 10.0.19045.4170")
        }
        let typeText = value(.type)
        var type: DeviceType = osName.lowercased().contains("server") ? .server : .workstation
        if !typeText.isEmpty {
            if let read = DeviceType(text: typeText) { type = read }
            else if Int(typeText) == nil { problem(.type, "'\(typeText)' is not a device type: use \(DeviceType.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        var criticality = DeviceCriticality.medium
        let criticalityText = value(.criticality)
        if !criticalityText.isEmpty {
            if let read = DeviceCriticality(rawValue: criticalityText.lowercased()) { criticality = read }
            else { problem(.criticality, "'\(criticalityText)' is not low, medium, high or critical") }
        }
        var clinical = false
        let clinicalText = value(.clinical).lowercased()
        if !clinicalText.isEmpty {
            if ["yes", "y", "true", "1"].contains(clinicalText) { clinical = true }
            else if !["no", "n", "false", "0"].contains(clinicalText) { problem(.clinical, "'\(clinicalText)' is not yes or no") }
        }
        var lastSeen: CalendarDay?
        let seenText = value(.lastSeen)
        if !seenText.isEmpty {
            lastSeen = InventoryRow.day(seenText)
            if lastSeen == nil { problem(.lastSeen, "'\(seenText)' is not a date (YYYY-MM-DD, an ISO 8601 time, or DD/MM/YYYY)") }
        }
        return InventoryDevice(deviceID: deviceID, hostname: value(.hostname).isEmpty ? deviceID : value(.hostname), type: type, osName: osName,
                               osBuild: osBuild, site: value(.site), owner: value(.owner), criticality: criticality,
                               supportsClinicalSystem: clinical, lastSeen: lastSeen)
    }

    mutating func software(into row: inout InventoryRow) {
        let name = value(.softwareName), version = value(.softwareVersion), cpe = value(.softwareCPE)
        guard !name.isEmpty || !cpe.isEmpty else {
            if !version.isEmpty { problem(.softwareName, "is empty, but the row gives a software version") }
            return
        }
        if !version.isEmpty, !version.contains(where: \.isNumber) { problem(.softwareVersion, "'\(version)' has no version number in it") }
        if !cpe.isEmpty { do { _ = try CPE(cpe) } catch { problem(.softwareCPE, error.message) } }
        let vendor = value(.softwareVendor)
        // Defender lists Windows itself as software; it is the device's operating system.
        if vendor.lowercased() == "microsoft", name.lowercased().hasPrefix("windows_"), version.contains(".") {
            row.device.osName = InventoryRow.readableOS(name)
            row.device.osBuild = version
            row.setsOperatingSystem = true
        } else {
            row.software = InventorySoftware(name: name.isEmpty ? (try? CPE(cpe))?.product ?? cpe : name, vendor: vendor, version: version,
                                             cpe: cpe.isEmpty ? nil : cpe, purl: value(.softwarePurl).nonEmpty)
        }
    }
}

extension InventoryRow {
    static let placeholders: Set<String> = ["not available", "n/a", "na", "-", "null", "unknown"]

    /// "Windows11" and "windows_server_2019" (Defender) as people write them.
    static func readableOS(_ name: String) -> String {
        // Most exports already write "Windows 11 Enterprise": nothing to rewrite.
        guard name.utf8.contains(UInt8(ascii: "_")) || (name.hasPrefix("Windows") && !name.hasPrefix("Windows ")) else { return name }
        var text = name.replacingOccurrences(of: "_", with: " ")
        for (short, long) in [("Windows11", "Windows 11"), ("Windows10", "Windows 10"), ("WindowsServer", "Windows Server "), ("Windows7", "Windows 7")] where text.hasPrefix(short) {
            text = long + text.dropFirst(short.count)
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The day of a timestamp as exports write them.
    static func day(_ text: String) -> CalendarDay? {
        if text.count >= 10, let day = CalendarDay(String(text.prefix(10))) { return day }
        let parts = text.split(separator: " ").first?.split(separator: "/") ?? []
        if parts.count == 3, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) {
            return CalendarDay(String(format: "%04d-%02d-%02d", y, m, d))
        }
        return nil
    }
}

extension String {
    /// Nil for an empty string, for optional fields read from forms and files.
    public var nonEmpty: String? { isEmpty ? nil : self }

    /// Without leading and trailing spaces and tabs. A field that starts and ends with a visible
    /// ASCII character (nearly every one in a million-row export) is returned as it is, without
    /// Foundation's trimming, which cost more than reading the CSV itself.
    public var trimmingSpaces: String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        if (0x21..<0x7F).contains(first), (0x21..<0x7F).contains(last) { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}
