/// What a person may do in an organisation. A membership grants one role in one organisation;
/// some roles reach down the organisation tree as well.
public enum Role: String, CaseIterable, Codable, Sendable {
    case viewer
    case contributor
    case manager
    case clinicalSafetyOfficer = "clinical-safety-officer"
    case auditor
    case orgAdmin = "org-admin"
    case oversight
    case systemAdmin = "system-admin"

    public var displayName: String {
        switch self {
        case .viewer: "Viewer"
        case .contributor: "Contributor"
        case .manager: "Manager"
        case .clinicalSafetyOfficer: "Clinical safety officer"
        case .auditor: "Auditor"
        case .orgAdmin: "Organisation administrator"
        case .oversight: "Oversight"
        case .systemAdmin: "System administrator"
        }
    }

    public var summary: String {
        switch self {
        case .viewer: "Board member: reads the organisation's dashboards and registers"
        case .contributor: "Creates and edits what they own; updates actions assigned to them"
        case .manager: "Risk manager, IG lead, cyber lead: creates, edits and approves within the organisation"
        case .clinicalSafetyOfficer: "A manager who also signs clinical safety artefacts"
        case .auditor: "Reads everything in the organisation, including the audit trail; writes nothing"
        case .orgAdmin: "Manages memberships and settings of the organisation and the organisations below it"
        case .oversight: "Read-only roll-up of the organisations below (ICB, region and national teams)"
        case .systemAdmin: "Everything, everywhere, including creating organisations"
        }
    }

    /// Whether the role also holds in every organisation below the one it was granted in.
    public var reachesDescendants: Bool {
        switch self {
        case .orgAdmin, .oversight, .systemAdmin: true
        case .viewer, .contributor, .manager, .clinicalSafetyOfficer, .auditor: false
        }
    }

    /// What the role permits, as a bit set so a check costs a few instructions.
    public var permitted: Actions {
        switch self {
        case .viewer: [.read]
        case .contributor: [.read, .createRecord, .editOwnRecord, .updateAssignedAction]
        case .manager: [.read, .createRecord, .editOwnRecord, .updateAssignedAction, .editAnyRecord, .approve]
        case .clinicalSafetyOfficer: Role.manager.permitted.union(.signClinicalSafety)
        case .auditor: [.read, .readAuditTrail]
        case .orgAdmin: [.read, .manageMemberships, .manageSettings, .editOrganisation]
        case .oversight: [.read, .readRollUp]
        case .systemAdmin: .all
        }
    }

    /// Whether everything this role permits, the other role permits too: an API token's role
    /// must be no higher than its owner's.
    public func isNoHigher(than other: Role) -> Bool {
        other.permitted.isSuperset(of: permitted) && (!reachesDescendants || other.reachesDescendants)
    }
}

/// Things a person asks to do to an organisation's records.
public struct Actions: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Read the organisation's registers and dashboards.
    public static let read = Actions(rawValue: 1 << 0)
    public static let readAuditTrail = Actions(rawValue: 1 << 1)
    public static let readRollUp = Actions(rawValue: 1 << 2)
    public static let createRecord = Actions(rawValue: 1 << 3)
    public static let editOwnRecord = Actions(rawValue: 1 << 4)
    public static let updateAssignedAction = Actions(rawValue: 1 << 5)
    public static let editAnyRecord = Actions(rawValue: 1 << 6)
    public static let approve = Actions(rawValue: 1 << 7)
    public static let signClinicalSafety = Actions(rawValue: 1 << 8)
    public static let manageMemberships = Actions(rawValue: 1 << 9)
    public static let manageSettings = Actions(rawValue: 1 << 10)
    /// Change an organisation's own details (name, type, parent, DSPT category).
    public static let editOrganisation = Actions(rawValue: 1 << 11)
    /// Create organisations and manage users across Assure.
    public static let administerSystem = Actions(rawValue: 1 << 12)

    /// Every action there is: the union of the named ones, so a new action is in it once it is named.
    public static let all = named.reduce(into: Actions()) { $0.formUnion($1.action) }

    /// Named actions, for messages and the authorisation matrix. Every action is named here.
    public static let named: [(name: String, action: Actions)] = [
        ("read", .read), ("read audit trail", .readAuditTrail), ("read roll-up", .readRollUp),
        ("create records", .createRecord), ("edit own records", .editOwnRecord),
        ("update assigned actions", .updateAssignedAction), ("edit any record", .editAnyRecord),
        ("approve", .approve), ("sign clinical safety artefacts", .signClinicalSafety),
        ("manage memberships", .manageMemberships), ("manage settings", .manageSettings),
        ("edit organisation details", .editOrganisation), ("administer Assure", .administerSystem),
    ]
}
