import Foundation

/// The kinds of organisation in the NHS tree: NHS England region → ICB → providers.
public enum OrganisationType: String, CaseIterable, Codable, Sendable {
    case region
    case icb
    case trust
    case foundationTrust = "foundation-trust"
    case gpPractice = "gp-practice"
    case commissioningSupportUnit = "csu"
    case armsLengthBody = "arms-length-body"
    case socialCareProvider = "social-care-provider"
    case itSupplier = "it-supplier"

    public var displayName: String {
        switch self {
        case .region: "NHS England region"
        case .icb: "integrated care board"
        case .trust: "NHS trust"
        case .foundationTrust: "NHS foundation trust"
        case .gpPractice: "GP practice"
        case .commissioningSupportUnit: "commissioning support unit"
        case .armsLengthBody: "arm's-length body"
        case .socialCareProvider: "social care provider"
        case .itSupplier: "IT supplier"
        }
    }

    /// "an NHS trust", "a GP practice": the name with the article it takes when spoken.
    public var withArticle: String {
        let spokenWithVowel = ["integrated", "arm's", "NHS", "IT"].contains { displayName.hasPrefix($0) }
        return (spokenWithVowel ? "an " : "a ") + displayName
    }

    /// "NHS trusts", "arm's-length bodies": for counts in running text.
    public var pluralDisplayName: String {
        self == .armsLengthBody ? "arm's-length bodies" : displayName + "s"
    }

    /// Plural heading used when organisations are grouped by type: "Integrated care boards".
    public var pluralName: String {
        pluralDisplayName.capitalisedFirst
    }

    /// The types an organisation of this type may sit under; empty means it must be a root.
    public var allowedParentTypes: Set<OrganisationType> {
        switch self {
        case .region: []
        case .icb: [.region]
        case .trust, .foundationTrust, .gpPractice: [.icb]
        case .commissioningSupportUnit, .armsLengthBody, .socialCareProvider, .itSupplier: [.region, .icb]
        }
    }

    /// Whether any type of organisation may sit under this one (a GP practice has none under it).
    public var mayHaveChildren: Bool {
        OrganisationType.allCases.contains { $0.allowedParentTypes.contains(self) }
    }

    /// Whether an organisation of this type may stand without a parent.
    public var mayBeRoot: Bool {
        switch self {
        case .region, .commissioningSupportUnit, .armsLengthBody, .socialCareProvider, .itSupplier: true
        case .icb, .trust, .foundationTrust, .gpPractice: false
        }
    }

    /// Region codes are Y + two digits, ICBs Q + two, trusts R or T + two, practices a letter + five digits.
    public var codeShape: ODSCodeShape? {
        switch self {
        case .region:
            ODSCodeShape(positions: [.letter(in: ["Y"]), .digit, .digit], example: "Y56")
        case .icb:
            ODSCodeShape(positions: [.letter(in: ["Q"]), .letterOrDigit, .letterOrDigit], example: "QHG")
        case .trust, .foundationTrust:
            ODSCodeShape(positions: [.letter(in: ["R", "T"]), .letterOrDigit, .letterOrDigit], example: "RJ1")
        case .gpPractice:
            ODSCodeShape(positions: [.letter(in: nil), .digit, .digit, .digit, .digit, .digit], example: "A81001")
        case .commissioningSupportUnit, .armsLengthBody, .socialCareProvider, .itSupplier:
            nil
        }
    }

    /// Accepts the stored form (`gp-practice`) and common spellings (`GP practice`, `gp_practice`).
    public init(parsing raw: String) throws(RuleError) {
        let key = raw.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: "_", with: "-")
            .replacingOccurrences(of: " ", with: "-")
        if key.isEmpty {
            throw RuleError(field: "type", message: "Choose the type of organisation")
        }
        if let type = OrganisationType(rawValue: key) {
            self = type
            return
        }
        let aliases: [String: OrganisationType] = [
            "nhs-england-region": .region, "integrated-care-board": .icb, "nhs-trust": .trust,
            "nhs-foundation-trust": .foundationTrust, "ft": .foundationTrust, "practice": .gpPractice,
            "commissioning-support-unit": .commissioningSupportUnit, "alb": .armsLengthBody,
            "arm's-length-body": .armsLengthBody, "supplier": .itSupplier,
        ]
        guard let type = aliases[key] else {
            let allowed = OrganisationType.allCases.map(\.rawValue).joined(separator: ", ")
            throw RuleError(field: "type", message: "Type '\(raw)' is not one of: \(allowed)")
        }
        self = type
    }
}
