/// What an organisation's IT estate holds: devices and the software installed on them, as
/// inventory tools export them.
public enum DeviceType: String, CaseIterable, Codable, Sendable {
    case workstation, laptop, server
    case medicalDevice = "medical-device"
    case network, other

    public var displayName: String {
        switch self {
        case .workstation: "Workstation"
        case .laptop: "Laptop"
        case .server: "Server"
        case .medicalDevice: "Medical device"
        case .network: "Network device"
        case .other: "Other"
        }
    }

    /// Reads the words inventories use ("Desktop", "Notebook", "Virtual Machine").
    public init?(text: String) {
        switch TitleMapping.normalise(text) {
        case "workstation", "desktop", "pc", "virtual machine", "vm", "thin client", "kiosk": self = .workstation
        case "laptop", "notebook", "tablet", "portable", "convertible", "2 in 1": self = .laptop
        case "server", "virtual server", "domain controller": self = .server
        case "medical device", "medical", "medical equipment", "modality", "imaging": self = .medicalDevice
        case "network", "network device", "router", "switch", "firewall", "access point": self = .network
        case "other", "printer", "mobile", "phone", "iot": self = .other
        default: return nil
        }
    }
}

public enum DeviceCriticality: String, CaseIterable, Codable, Sendable {
    case low, medium, high, critical
}

public struct InventorySoftware: Hashable, Sendable {
    public var name: String
    public var vendor: String
    public var version: String
    public var cpe: String?
    public var purl: String?

    public init(name: String, vendor: String, version: String, cpe: String? = nil, purl: String? = nil) {
        self.name = name
        self.vendor = vendor
        self.version = version
        self.cpe = cpe
        self.purl = purl
    }
}

public struct InventoryDevice: Equatable, Sendable {
    public var deviceID: String
    public var hostname: String
    public var type: DeviceType
    public var osName: String
    public var osBuild: String
    public var site: String
    public var owner: String
    public var criticality: DeviceCriticality
    public var supportsClinicalSystem: Bool
    public var lastSeen: CalendarDay?

    public init(deviceID: String, hostname: String, type: DeviceType, osName: String = "", osBuild: String = "", site: String = "", owner: String = "",
                criticality: DeviceCriticality = .medium, supportsClinicalSystem: Bool = false, lastSeen: CalendarDay? = nil) {
        self.deviceID = deviceID
        self.hostname = hostname
        self.type = type
        self.osName = osName
        self.osBuild = osBuild
        self.site = site
        self.owner = owner
        self.criticality = criticality
        self.supportsClinicalSystem = supportsClinicalSystem
        self.lastSeen = lastSeen
    }

    /// The Windows release, when the device runs one Assure recognises.
    public var windows: WindowsRelease? { WindowsRelease(name: osName, build: osBuild) }
}
