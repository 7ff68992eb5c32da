import AssureCore
import Foundation

/// Fictional organisations for demonstrations and benchmarks. Every code is shaped like a real ODS
/// code of its type but drawn from ranges the NHS does not use: regions Y91–Y99 (real ones are
/// Y56–Y63), ICBs Q followed by a digit (real ICB codes are Q and two letters or a letter and a
/// digit), trusts T followed by a digit, GP practices Z followed by five digits.
public enum DemoOrganisations {
    public struct Entry: Equatable, Sendable {
        public let odsCode: String
        public let name: String
        public let type: OrganisationType
        public let parentCode: String?
        public let dsptCategory: Int?

        /// The fields as an import row, so demo data goes through the same checks as a user's file.
        public var fields: [String: String] {
            ["ods_code": odsCode, "name": name, "type": type.rawValue, "parent_ods_code": parentCode ?? "",
             "dspt_category": dsptCategory.map(String.init) ?? ""]
        }
    }

    /// One fictional region: 1 region, 2 ICBs, 6 trusts, 20 GP practices.
    public static let region: [Entry] = {
        var entries = [Entry(odsCode: "Y99", name: "Avalon Region (demo)", type: .region, parentCode: nil, dsptCategory: nil)]
        entries.append(Entry(odsCode: "Q9A", name: "NHS Avalon North Integrated Care Board", type: .icb, parentCode: "Y99", dsptCategory: 1))
        entries.append(Entry(odsCode: "Q9B", name: "NHS Avalon South Integrated Care Board", type: .icb, parentCode: "Y99", dsptCategory: 1))
        let trusts: [(String, String, OrganisationType, String)] = [
            ("T91", "Kingsmere University Hospitals NHS Foundation Trust", .foundationTrust, "Q9A"),
            ("T92", "Avonvale Community Health NHS Trust", .trust, "Q9A"),
            ("T93", "Fernbridge Mental Health NHS Foundation Trust", .foundationTrust, "Q9A"),
            ("T94", "Castle Downs Hospitals NHS Trust", .trust, "Q9B"),
            ("T95", "Westmoor Ambulance Service NHS Foundation Trust", .foundationTrust, "Q9B"),
            ("T96", "Harrowfield and District NHS Trust", .trust, "Q9B"),
        ]
        entries += trusts.map { Entry(odsCode: $0.0, name: $0.1, type: $0.2, parentCode: $0.3, dsptCategory: 1) }
        let practices = [
            "Riverside Medical Centre", "Oak Lane Surgery", "Kingsmere Health Centre", "The Willows Practice",
            "Market Square Surgery", "Brookfield Family Practice", "St Aldhelm's Surgery", "Greenbank Medical Group",
            "Harbour View Surgery", "Millstream Health Centre", "Fernbridge Road Surgery", "Chalk Hill Practice",
            "Castle Gate Medical Centre", "Westmoor Village Surgery", "Downsview Health Partnership", "Elm Tree Surgery",
            "Harrowfield Medical Practice", "Abbey Meadows Surgery", "Quayside Health Centre", "Linden House Surgery",
        ]
        entries += practices.enumerated().map { index, name in
            Entry(odsCode: "Z99" + String(format: "%03d", index + 1), name: name, type: .gpPractice,
                  parentCode: index < 10 ? "Q9A" : "Q9B", dsptCategory: 3)
        }
        return entries
    }()

    /// A national-scale synthetic tree, the same every time: 7 regions, 42 ICBs, 220 trusts, 6,300 GP practices.
    public static func national(regions: Int = 7, icbsPerRegion: Int = 6, trusts: Int = 220, practices: Int = 6_300) -> [Entry] {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var entries: [Entry] = []
        var icbCodes: [String] = []
        for region in 0..<regions {
            let regionCode = "Y9\(region + 1)"
            entries.append(Entry(odsCode: regionCode, name: "Synthetic Region \(region + 1)", type: .region, parentCode: nil, dsptCategory: nil))
            for icb in 0..<icbsPerRegion {
                let number = region * icbsPerRegion + icb
                let code = "Q\(1 + number / alphabet.count)\(alphabet[number % alphabet.count])"
                icbCodes.append(code)
                entries.append(Entry(odsCode: code, name: "NHS Synthetic ICB \(number + 1)", type: .icb, parentCode: regionCode, dsptCategory: 1))
            }
        }
        for trust in 0..<trusts {
            let code = "T\(1 + trust / alphabet.count)\(alphabet[trust % alphabet.count])"
            let type: OrganisationType = trust.isMultiple(of: 3) ? .trust : .foundationTrust
            let suffix = type == .trust ? "NHS Trust" : "NHS Foundation Trust"
            entries.append(Entry(odsCode: code, name: "Synthetic Hospitals \(trust + 1) \(suffix)", type: type,
                                 parentCode: icbCodes[trust % icbCodes.count], dsptCategory: 1))
        }
        for practice in 0..<practices {
            entries.append(Entry(odsCode: "Z\(10_000 + practice)", name: "Synthetic Surgery \(practice + 1)", type: .gpPractice,
                                 parentCode: icbCodes[practice % icbCodes.count], dsptCategory: 3))
        }
        return entries
    }
}

/// Fictional people in the demo region, one for every role. Addresses use the reserved
/// `.example` domain (RFC 2606), so no message can ever reach a real person.
public enum DemoPeople {
    public struct Person: Sendable {
        public let email: String
        public let name: String
        public let role: Role
        /// Nil for a system administrator, whose role covers all of Assure.
        public let organisation: String?
    }

    /// Shared by every demo account and printed at start-up; demo data only.
    public static let password = "avalon demo passphrase"

    public static let all: [Person] = [
        Person(email: "admin@avalon.example", name: "Sam Okafor", role: .systemAdmin, organisation: nil),
        Person(email: "oversight@avalon.example", name: "Priya Raman", role: .oversight, organisation: "Y99"),
        Person(email: "icb.admin@avalon.example", name: "Tom Baines", role: .orgAdmin, organisation: "Q9A"),
        Person(email: "risk.manager@avalon.example", name: "Aisha Khan", role: .manager, organisation: "T91"),
        Person(email: "safety.officer@avalon.example", name: "Dr Owen Price", role: .clinicalSafetyOfficer, organisation: "T91"),
        Person(email: "auditor@avalon.example", name: "Grace Lim", role: .auditor, organisation: "T91"),
        Person(email: "contributor@avalon.example", name: "Ben Carter", role: .contributor, organisation: "T91"),
        Person(email: "board.member@avalon.example", name: "Helen Ward", role: .viewer, organisation: "T91"),
    ]
}
