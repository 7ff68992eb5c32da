import AssureCore

/// A deterministic NHS-like estate for demonstrations and benchmarks: the same seed gives the same
/// devices. Windows 11 on about 80% of desktops, Windows 10 22H2 on about 15%, LTSC on about 2%,
/// a few Windows 7 and XP Embedded medical devices; 5–8% servers from 2012 R2 to 2025; the
/// usual desktop titles with realistic patch lag (most current, a long tail up to a year behind)
/// and local titles no knowledge base knows.
///
/// Devices are produced as indices into a table of distinct components (a title at a version),
/// so two million of them fit in memory; `inventory(of:)` gives one as an import would.
public struct SyntheticEstate: Sendable {
    /// One title at one version, as an inventory reports it.
    public struct Title: Hashable, Sendable {
        public var name: String
        public var vendor: String
        public var version: String
        /// The operating system row: the name and build a device reports.
        public var isOperatingSystem: Bool
    }

    public struct Device: Sendable {
        public var organisation: Int32
        public var number: Int32
        public var type: DeviceType
        public var titles: [Int32]
        public var clinical: Bool
        public var criticality: DeviceCriticality
        public var lastSeenDaysAgo: Int16
    }

    public private(set) var titles: [Title] = []
    public private(set) var devices: [Device] = []
    private var titleIndex: [Title: Int32] = [:]
    public let today: CalendarDay

    public init(devices count: Int, organisations: Int, seed: UInt64, today: CalendarDay) {
        self.today = today
        var random = SeededGenerator(seed: seed)
        devices.reserveCapacity(count)
        // Organisations differ in size: a few large trusts, many smaller ones.
        let weights = (0..<max(organisations, 1)).map { _ in 1 + Int(random.next() % 8) }
        let total = weights.reduce(0, +)
        var perOrganisation = weights.map { $0 * count / total }
        perOrganisation[0] += count - perOrganisation.reduce(0, +)
        for (organisation, size) in perOrganisation.enumerated() {
            for number in 0..<size { devices.append(makeDevice(organisation: Int32(organisation), number: Int32(number), random: &random)) }
        }
    }

    // MARK: the estate's shape

    private mutating func intern(_ title: Title) -> Int32 {
        if let index = titleIndex[title] { return index }
        let index = Int32(titles.count)
        titles.append(title)
        titleIndex[title] = index
        return index
    }

    /// Days behind current for one title: most current, a quarter within a month, a long tail to a year.
    private static func lag(_ random: inout SeededGenerator, base: Int) -> Int {
        let roll = random.next() % 100
        let own = roll < 55 ? 0 : roll < 80 ? Int(random.next() % 30) : Int(random.next() % 365)
        return min(365, base + own)
    }

    private mutating func makeDevice(organisation: Int32, number: Int32, random: inout SeededGenerator) -> Device {
        let roll = random.next() % 1000
        let type: DeviceType = roll < 65 ? .server : roll < 80 ? .medicalDevice : roll < 85 ? .network : roll < 400 ? .laptop : .workstation
        // A device's own neglect: most are managed, some are forgotten.
        let base = random.next() % 10 == 0 ? Int(random.next() % 180) : 0
        var titles: [Int32] = [intern(operatingSystem(type, random: &random, lag: Self.lag(&random, base: base)))]
        if type == .workstation || type == .laptop {
            for product in Self.desktopTitles where random.next() % 100 < product.share {
                titles.append(intern(Title(name: product.name, vendor: product.vendor, version: product.version(Self.lag(&random, base: base), monthsSinceAnchor), isOperatingSystem: false)))
            }
            for local in Self.localTitles where random.next() % 100 < 70 {
                titles.append(intern(Title(name: local.0, vendor: local.1, version: local.2, isOperatingSystem: false)))
            }
        } else if type == .server {
            for product in Self.desktopTitles.prefix(2) where random.next() % 100 < 50 {
                titles.append(intern(Title(name: product.name, vendor: product.vendor, version: product.version(Self.lag(&random, base: base), monthsSinceAnchor), isOperatingSystem: false)))
            }
        }
        let clinical = type == .medicalDevice || random.next() % 100 < 30
        let criticality: DeviceCriticality = type == .server || type == .medicalDevice ? (random.next() % 2 == 0 ? .critical : .high) : clinical ? .high : .medium
        return Device(organisation: organisation, number: number, type: type, titles: titles, clinical: clinical, criticality: criticality,
                      lastSeenDaysAgo: Int16(random.next() % 100 < 95 ? random.next() % 7 : random.next() % 90))
    }

    /// Whole months from October 2025 (the versions below were current then) to the day the
    /// estate is drawn, so a device patched today runs what was released by today.
    private var monthsSinceAnchor: Int { max(0, Int((CalendarDay("2025-10-14")!.date.distance(to: today.date) / 86_400 / 30.44).rounded(.down))) }

    private func operatingSystem(_ type: DeviceType, random: inout SeededGenerator, lag: Int) -> Title {
        let months = monthsSinceAnchor - lag / 30
        // Cumulative updates raise the revision (UBR) by about 200 a month.
        func windows(_ name: String, build: Int, ubr: Int) -> Title {
            Title(name: name, vendor: "Microsoft", version: "10.0.\(build).\(max(1, ubr + months * 200))", isOperatingSystem: true)
        }
        let roll = random.next() % 1000
        switch type {
        case .server:
            switch roll {
            case ..<60: return Title(name: "Windows Server 2012 R2 Datacenter", vendor: "Microsoft", version: "6.3.9600.\(22000 + min(0, months) * 50)", isOperatingSystem: true)
            case ..<260: return windows("Windows Server 2016 Datacenter", build: 14393, ubr: 8519)
            case ..<600: return windows("Windows Server 2019 Datacenter", build: 17763, ubr: 7919)
            case ..<900: return windows("Windows Server 2022 Datacenter", build: 20348, ubr: 4294)
            default: return windows("Windows Server 2025 Datacenter", build: 26100, ubr: 6899)
            }
        case .medicalDevice:
            switch roll {
            case ..<300: return Title(name: "Windows 7 Embedded Standard", vendor: "Microsoft", version: "6.1.7601.24546", isOperatingSystem: true)
            case ..<400: return Title(name: "Windows XP Embedded", vendor: "Microsoft", version: "5.1.2600.5512", isOperatingSystem: true)
            case ..<700: return windows("Windows 10 IoT Enterprise LTSC", build: 17763, ubr: 7919)
            default: return windows("Windows 10 IoT Enterprise LTSC", build: 19044, ubr: 6456)
            }
        case .network:
            return Title(name: "Cisco IOS XE", vendor: "Cisco", version: roll < 500 ? "17.9.4" : "17.12.2", isOperatingSystem: true)
        default:
            switch roll {
            // Windows 11 80% (mostly 24H2 and 25H2), Windows 10 22H2 15%, LTSC 2%, and a few
            // forgotten Windows 10 21H2 machines.
            case ..<500: return windows("Windows 11 Enterprise", build: 26100, ubr: 6899)
            case ..<700: return windows("Windows 11 Enterprise", build: 26200, ubr: 6899)
            case ..<770: return windows("Windows 11 Enterprise", build: 22631, ubr: 6060)
            case ..<800: return windows("Windows 11 Enterprise", build: 22621, ubr: 6060)
            case ..<950: return windows("Windows 10 Enterprise", build: 19045, ubr: 6456)
            case ..<960: return windows("Windows 10 Enterprise LTSC", build: 17763, ubr: 7919)
            case ..<970: return windows("Windows 10 Enterprise LTSC", build: 19044, ubr: 6456)
            default: return windows("Windows 10 Enterprise", build: 19044, ubr: 5000)
            }
        }
    }

    struct Product: Sendable {
        var name: String
        var vendor: String
        var share: UInt64
        /// The version released `lag` days before the day `now` months after October 2025.
        var version: @Sendable (_ lag: Int, _ now: Int) -> String
    }

    /// Desktop titles with version series stepping back with lag (days behind current).
    static let desktopTitles: [Product] = [
        // Chrome and Edge: 141 in October 2025, a new major every four weeks.
        Product(name: "Microsoft Edge", vendor: "Microsoft Corporation", share: 100) { lag, now in
            let major = 141 + (now * 30 - lag) / 28
            return "\(major).0.\(7390 + (major - 141) * 62).\(97 - (lag % 28) * 3)"
        },
        Product(name: "Google Chrome", vendor: "Google LLC", share: 85) { lag, now in
            let major = 141 + (now * 30 - lag) / 28
            return "\(major).0.\(7390 + (major - 141) * 62).\(187 - (lag % 28) * 5)"
        },
        Product(name: "Adobe Acrobat Reader DC", vendor: "Adobe Inc.", share: 90) { lag, now in
            let release = 120 + (now * 30 - lag) / 14
            return "\(20 + release / 24).\(String(1000 + 1 + (release % 24) / 12).dropFirst()).\(20000 + (release % 12) * 60)"
        },
        Product(name: "Citrix Workspace", vendor: "Citrix Systems, Inc.", share: 70) { lag, now in
            let month = 45 + (now * 30 - lag) / 30
            return "\(22 + month / 12).\(month % 12 + 1).0.\(100 + month)"
        },
        Product(name: "Java 8 Update", vendor: "Oracle Corporation", share: 35) { lag, now in "8 Update \(471 + ((now * 30 - lag) / 91) * 10)" },
        Product(name: "7-Zip", vendor: "Igor Pavlov", share: 60) { lag, _ in ["25.01", "25.00", "24.09", "24.08", "24.07", "23.01", "22.01"][min(6, lag / 60)] + " (x64)" },
        Product(name: "Notepad++", vendor: "Notepad++ Team", share: 40) { lag, _ in ["8.8.5", "8.8.1", "8.7.5", "8.7", "8.6.9", "8.6.4", "8.5.8"][min(6, lag / 60)] },
        Product(name: "VLC media player", vendor: "VideoLAN", share: 45) { lag, _ in ["3.0.21", "3.0.20", "3.0.18"][min(2, lag / 150)] },
        Product(name: "Zoom Workplace", vendor: "Zoom Video Communications, Inc.", share: 55) { lag, _ in ["6.5.1", "6.4.6", "6.3.0", "6.2.5", "6.1.6", "6.0.2", "5.17.11"][min(6, lag / 55)] },
        Product(name: "Microsoft 365 Apps for enterprise - en-gb", vendor: "Microsoft Corporation", share: 95) { lag, now in "16.0.\(19200 + ((now * 30 - lag) / 30) * 100).20000" },
        Product(name: "Mozilla Firefox (x64 en-GB)", vendor: "Mozilla", share: 15) { lag, now in "\(144 + (now * 30 - lag) / 28).0" },
    ]

    /// Titles found on NHS desktops that no CPE names: they appear on the unmapped list.
    static let localTitles: [(String, String, String)] = [
        ("NHS Identity Agent", "NHS Digital", "2.4.1.0"), ("Microsoft Visual C++ 2015-2022 Redistributable (x64)", "Microsoft Corporation", "14.40.33810.0"),
        ("Microsoft .NET Runtime - 8.0.8 (x64)", "Microsoft Corporation", "8.0.8.34118"), ("Sophos Endpoint Agent", "Sophos Limited", "2023.2.1.9"),
        ("Cisco Secure Client - AnyConnect VPN", "Cisco Systems, Inc.", "5.1.4.74"), ("Gemalto IDGo 800 Minidriver", "Thales", "1.2.6"),
        ("Microsoft Teams", "Microsoft", "24295.605.3225.8804"), ("Dragon Medical One", "Nuance Communications", "2023.4.0.512"),
        ("Microsoft Edge WebView2 Runtime", "Microsoft Corporation", "131.0.2903.70"), ("Microsoft OneDrive", "Microsoft Corporation", "24.226.1110.0004"),
        ("Microsoft Intune Management Extension", "Microsoft Corporation", "1.83.107.0"), ("Microsoft Update Health Tools", "Microsoft Corporation", "5.72.0.0"),
        ("Ivanti Workspace Control Agent", "Ivanti", "10.14.100.0"), ("Microsoft Windows Desktop Runtime - 8.0.8 (x64)", "Microsoft Corporation", "8.0.8.34118"),
        ("Bomgar Jump Client", "BeyondTrust", "24.1.2"), ("Imprivata OneSign Agent", "Imprivata", "7.12.001.0026"),
    ]

    // MARK: reading it back

    /// The device as an inventory export would describe it.
    public func inventory(of device: Device, organisationCode: String) -> (InventoryDevice, [InventorySoftware]) {
        let os = titles[Int(device.titles[0])]
        let prefix: String = switch device.type {
        case .server: "SRV"
        case .laptop: "LT"
        case .medicalDevice: "MED"
        case .network: "NET"
        default: "WS"
        }
        let hostname = "\(organisationCode)-\(prefix)-\(String(format: "%06d", Int(device.number)))"
        let sites = ["Main hospital", "Community hub", "Outpatients", "Head office", "Data centre"]
        let inventoryDevice = InventoryDevice(deviceID: "\(organisationCode.lowercased())-\(device.number)", hostname: hostname, type: device.type,
                                              osName: os.name, osBuild: os.version,
                                              site: device.type == .server ? "Data centre" : sites[Int(device.number) % 4],
                                              owner: device.type == .laptop ? "user\(device.number)@\(organisationCode.lowercased()).nhs.uk" : "",
                                              criticality: device.criticality, supportsClinicalSystem: device.clinical,
                                              lastSeen: today.adding(days: -Int(device.lastSeenDaysAgo)))
        let software = device.titles.dropFirst().map { index -> InventorySoftware in
            let title = titles[Int(index)]
            return InventorySoftware(name: title.name, vendor: title.vendor, version: title.version)
        }
        return (inventoryDevice, software)
    }

    /// Each distinct title as the component the matcher reads (nil for titles no rule maps), so
    /// matching an estate of millions touches each title once.
    public func components(mapping: TitleMapping) -> [EstateComponent?] {
        titles.map { title in
            if title.isOperatingSystem {
                guard let windows = WindowsRelease(name: title.name, build: title.version) else { return nil }
                return EstateComponent(cpe: windows.cpe, windows: windows)
            }
            return mapping.cpe(name: title.name, vendor: title.vendor, version: title.version, given: nil).map { EstateComponent(cpe: $0) }
        }
    }
}
