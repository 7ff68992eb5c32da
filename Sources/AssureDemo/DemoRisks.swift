import AssureCore

/// Fictional but realistic risks for Kingsmere University Hospitals (T91), the demo trust: the
/// kind an NHS trust's IT, IG and clinical safety leads carry. Owners are demo accounts.
public enum DemoRisks {
    public struct Entry: Sendable {
        public var fields: [String: String]
        public var controls: [(String, ControlEffectiveness)]
        public var actions: [(description: String, owner: String, due: String, status: RiskActionStatus)]
        /// Later reviews: likelihood, consequence, what the review found.
        public var reviews: [(Int, Int, String)]
        public var gapsInControl: String
        public var gapsInAssurance: String
    }

    public static let organisation = "T91"

    static func risk(_ title: String, _ category: RiskCategory, owner: String, department: String, objective: String, source: String = "",
                     opened: String, cause: String, event: String, effect: String, initial: (Int, Int), current: (Int, Int), target: (Int, Int),
                     status: RiskStatus = .open) -> [String: String] {
        ["title": title, "category": category.rawValue, "owner": owner, "department": department, "objective": objective, "source_reference": source,
         "opened": opened, "cause": cause, "event": event, "effect": effect, "status": status.rawValue,
         "initial_likelihood": String(initial.0), "initial_consequence": String(initial.1),
         "current_likelihood": String(current.0), "current_consequence": String(current.1),
         "target_likelihood": String(target.0), "target_consequence": String(target.1)]
    }

    static let riskLead = "risk.manager@avalon.example"
    static let safety = "safety.officer@avalon.example"
    static let contributor = "contributor@avalon.example"
    static let safePatients = "Safe, effective care for every patient"
    static let resilientServices = "Resilient, secure digital services"
    static let soundFinances = "Live within our means"

    public static let all: [Entry] = [
        Entry(fields: risk("Unsupported Windows on imaging modalities", .cyberSecurity, owner: riskLead, department: "Radiology", objective: resilientServices,
                           source: "CareCERT CC-4126", opened: "2025-11-03",
                           cause: "CT, MRI and ultrasound consoles run Windows 7 and 10 builds the supplier will not let us patch",
                           event: "Ransomware or a worm reaches the modality network, as WannaCry did in 2017",
                           effect: "Imaging unavailable for days; cancelled scans and delayed cancer diagnoses",
                           initial: (4, 5), current: (4, 4), target: (2, 4)),
              controls: [("Modality VLAN with deny-by-default firewall rules", .partiallyEffective), ("Endpoint detection on the PACS servers", .effective)],
              actions: [("Agree a patched build or replacement with the supplier", riskLead, "2026-03-31", .inProgress),
                        ("Fund replacement consoles in the capital plan", riskLead, "2026-09-30", .notStarted)],
              reviews: [(4, 5, "Supplier confirmed no patches for the Windows 7 consoles"), (4, 4, "Modality VLAN in place; lateral movement harder")],
              gapsInControl: "Two ultrasound carts still join the clinical Wi-Fi.", gapsInAssurance: "No penetration test of the modality network yet."),
        Entry(fields: risk("Electronic patient record downtime", .operational, owner: riskLead, department: "Digital services", objective: safePatients,
                           opened: "2025-06-12", cause: "Single data centre and an ageing storage array under the EPR",
                           event: "An unplanned EPR outage of more than four hours",
                           effect: "Clinicians work from paper; medication and results errors rise; elective lists slip",
                           initial: (3, 5), current: (2, 5), target: (1, 5)),
              controls: [("Tested downtime procedures and read-only EPR copy", .effective), ("Storage array under 24×7 support", .partiallyEffective)],
              actions: [("Move the EPR to the second data centre", riskLead, "2026-12-31", .inProgress)],
              reviews: [(2, 5, "Read-only copy tested in the March downtime exercise")], gapsInControl: "", gapsInAssurance: "Failover not tested end to end."),
        Entry(fields: risk("Ransomware at a key supplier", .supplier, owner: riskLead, department: "Procurement", objective: resilientServices,
                           source: "DSPT 2025/26 assertion 10.1", opened: "2026-01-20",
                           cause: "Pathology and dictation services run by third parties with remote access into the trust",
                           event: "A supplier suffers a ransomware attack and loses service or our data",
                           effect: "Pathology results delayed for weeks; patient data published; ICO investigation",
                           initial: (3, 5), current: (3, 4), target: (2, 3)),
              controls: [("Supplier security schedule in new contracts", .partiallyEffective)],
              actions: [("Review remote access for the top 10 suppliers", contributor, "2026-02-28", .notStarted)],
              reviews: [], gapsInControl: "Older contracts have no security schedule.", gapsInAssurance: "No evidence of suppliers' Cyber Essentials Plus."),
        Entry(fields: risk("DSPT standards not met", .dataProtection, owner: safety, department: "Information governance", objective: resilientServices,
                           source: "DSPT 2025/26 submission", opened: "2025-07-01",
                           cause: "Data security training below 95% and an unapproved business continuity plan",
                           event: "The trust's DSPT submission is 'Standards not met'",
                           effect: "Loss of assurance to commissioners; restrictions on data sharing; reputational damage",
                           initial: (4, 3), current: (3, 3), target: (1, 3)),
              controls: [("Monthly training compliance report to the IG group", .effective)],
              actions: [("Approve the business continuity plan at the Audit Committee", safety, "2026-04-30", .complete)],
              reviews: [(3, 3, "Training at 93%; BCP approved")], gapsInControl: "", gapsInAssurance: ""),
        Entry(fields: risk("Cyber security skills shortage", .workforce, owner: riskLead, department: "Digital services", objective: resilientServices,
                           opened: "2025-09-15", cause: "Two of five cyber posts vacant; NHS pay below market for security engineers",
                           event: "Vulnerabilities and alerts are not acted on in time",
                           effect: "Exploitable weaknesses stay open; slower incident response",
                           initial: (4, 3), current: (4, 3), target: (2, 3)),
              controls: [("Managed security operations centre contract", .partiallyEffective)], actions: [], reviews: [], gapsInControl: "", gapsInAssurance: ""),
        Entry(fields: risk("Backups never restore-tested", .cyberSecurity, owner: riskLead, department: "Digital services", objective: resilientServices,
                           opened: "2026-02-02", cause: "Backups run nightly but no one has restored a whole system from them",
                           event: "After ransomware or corruption the backups do not restore",
                           effect: "Permanent loss of records; weeks without core systems",
                           initial: (3, 5), current: (3, 5), target: (1, 5)),
              controls: [("Immutable offsite backup copies", .effective)],
              actions: [("Quarterly full restore test of the EPR and PACS", contributor, "2026-06-30", .notStarted)],
              reviews: [], gapsInControl: "", gapsInAssurance: "No restore test on record."),
        Entry(fields: risk("Clinical decision support rules out of date", .clinicalSafety, owner: safety, department: "Pharmacy", objective: safePatients,
                           source: "Hazard log HL-014", opened: "2025-10-10", cause: "Drug interaction rules in the e-prescribing system updated by hand",
                           event: "An interaction alert is missing after a formulary change",
                           effect: "A patient receives a harmful drug combination",
                           initial: (3, 4), current: (2, 4), target: (1, 4)),
              controls: [("Pharmacist check of high-risk prescriptions", .effective)], actions: [], reviews: [(2, 4, "Formulary change process now includes the CDS update")],
              gapsInControl: "", gapsInAssurance: ""),
        Entry(fields: risk("Digital programme overspend", .financial, owner: riskLead, department: "Finance", objective: soundFinances,
                           opened: "2025-12-01", cause: "Licence costs rising faster than the digital budget",
                           event: "The digital programme overspends by more than 5%",
                           effect: "Other investments are cut; the trust misses its financial plan",
                           initial: (3, 3), current: (3, 2), target: (2, 2), status: .tolerated),
              controls: [("Monthly digital finance review", .effective)], actions: [], reviews: [], gapsInControl: "", gapsInAssurance: ""),
    ]

    /// The demo trust's strategic objectives for its Board Assurance Framework; register risks
    /// naming an objective are linked to it as principal risks.
    public struct Objective: Sendable {
        public var title: String
        public var lead: String
        public var committee: String
        public var sources: [(line: AssuranceLine, source: String, outcome: AssuranceOutcome, reported: String)]
        public var assurance: AssuranceLevel
        public var rationale: String
    }

    public static let objectives: [Objective] = [
        Objective(title: safePatients, lead: safety, committee: "Quality and Safety Committee",
                  sources: [(.first, "Monthly clinical safety incident report to the Quality and Safety Committee", .positive, "2026-10-14"),
                            (.second, "Clinical safety officer's review of the e-prescribing hazard log", .positive, "2026-09-30")],
                  assurance: .reasonable, rationale: "Controls effective; no independent review this year."),
        Objective(title: resilientServices, lead: riskLead, committee: "Audit and Risk Committee",
                  sources: [(.first, "Monthly cyber security report to the Digital Board", .positive, "2026-11-03"),
                            (.second, "DSPT 2025/26 self-assessment reviewed by the IG group", .positive, "2026-06-20"),
                            (.third, "Internal audit of cyber security and backups, report 2026/07", .negative, "2026-07-18")],
                  assurance: .limited, rationale: "Internal audit gave limited assurance: unsupported modalities and untested backups."),
        Objective(title: soundFinances, lead: riskLead, committee: "Finance and Performance Committee",
                  sources: [(.first, "Monthly finance report", .positive, "2026-11-10")], assurance: .reasonable, rationale: "Overspend tolerated within plan."),
    ]
}

/// The demo trust's compliance assessments, part-way through: who owns each result and where it stands.
public enum DemoAssessments {
    public struct Result: Sendable {
        public var item: String
        public var level: String
        public var rationale: String
        public var owner: String
        public var status: AssessmentItemStatus
    }

    public struct Entry: Sendable {
        public var framework: String
        public var period: String
        public var interim: String?
        public var final: String
        public var profile: String?
        public var results: [Result]
    }

    static let ig = "safety.officer@avalon.example"
    static let cyber = "risk.manager@avalon.example"

    public static let all: [Entry] = [
        Entry(framework: "dspt-caf@2024-25", period: "2025-26", interim: "2025-12-31", final: "2026-06-30", profile: nil, results: [
            Result(item: "A1.a", level: "achieved", rationale: "Board cyber briefing each quarter; SIRO named", owner: cyber, status: .approved),
            Result(item: "A2.a", level: "partially-achieved", rationale: "Risk register in use; four reviews overdue", owner: cyber, status: .readyForReview),
            Result(item: "A4.a", level: "partially-achieved", rationale: "Security schedule in new contracts only", owner: cyber, status: .inProgress),
            Result(item: "B4.d", level: "not-achieved", rationale: "Unsupported Windows on imaging modalities (R-0001)", owner: cyber, status: .inProgress),
            Result(item: "B5.c", level: "not-achieved", rationale: "Backups never restore-tested (R-0006)", owner: cyber, status: .inProgress),
            Result(item: "E1.a", level: "achieved", rationale: "Privacy notice reviewed in May", owner: ig, status: .approved),
            Result(item: "E3.a", level: "partially-achieved", rationale: "Sharing agreements for two of three partners", owner: ig, status: .inProgress),
        ]),
        Entry(framework: "cyber-essentials@2025", period: "2026", interim: nil, final: "2026-03-31", profile: nil, results: [
            Result(item: "CE1", level: "compliant", rationale: "Boundary firewalls managed by the network team", owner: cyber, status: .readyForReview),
            Result(item: "CE3.14d", level: "non-compliant", rationale: "Modality consoles cannot be patched", owner: cyber, status: .inProgress),
        ]),
        Entry(framework: "ncsc-caf@3.2", period: "2025-26", interim: nil, final: "2026-06-30", profile: "govassure-baseline", results: [
            Result(item: "A1.a", level: "achieved", rationale: "As the DSPT return: quarterly board briefing", owner: cyber, status: .approved),
            Result(item: "B2.a", level: "partially-achieved", rationale: "MFA on remote access; not yet on clinical systems", owner: cyber, status: .inProgress),
            Result(item: "B4.b", level: "achieved", rationale: "Build standards for desktops and servers", owner: cyber, status: .readyForReview),
            Result(item: "B4.d", level: "not-achieved", rationale: "Unsupported Windows on imaging modalities (R-0001)", owner: cyber, status: .inProgress),
        ]),
    ]

    /// Other demo trusts' DSPT returns on the NDG standards, so an ICB sees positions side by side.
    public static let others: [(organisation: String, entry: Entry)] = [
        ("T92", Entry(framework: "dspt-ndg@2023-24", period: "2025-26", interim: "2025-12-31", final: "2026-06-30", profile: nil,
                      results: ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "2.1", "2.2", "3.1", "3.4", "4.1", "4.2", "4.5", "5.1", "6.3",
                                "7.0", "8.0", "9.0", "10.0"].map { Result(item: $0, level: "met", rationale: "Evidence reviewed by the IG lead", owner: "", status: .inProgress) })),
        ("T93", Entry(framework: "dspt-ndg@2023-24", period: "2025-26", interim: "2025-12-31", final: "2026-06-30", profile: nil, results: [
            Result(item: "1.1", level: "met", rationale: "Privacy notice current", owner: "", status: .inProgress),
            Result(item: "3.1", level: "not-met", rationale: "Training completion 81% against 95%", owner: "", status: .inProgress),
            Result(item: "8.0", level: "not-met", rationale: "Windows Server 2012 R2 still in use", owner: "", status: .inProgress),
        ])),
    ]
}

/// Demo evidence for the demo trust: policies, certificates and test records, some expiring or
/// expired, each attached where it supports an assessment item.
public enum DemoEvidence {
    public struct Entry: Sendable {
        public var title: String
        public var description: String
        /// A link, or a file's name and contents.
        public var url: String?
        public var file: (name: String, contents: String)?
        /// Review date relative to the day the demo is seeded, so the views always have something in them.
        public var reviewInDays: Int
        public var approved: Bool
        /// Framework key and item.
        public var supports: [(String, String)]
    }

    public static let all: [Entry] = [
        Entry(title: "Information security policy v4.2", description: "Approved by the Audit and Risk Committee",
              url: "https://intranet.kingsmere.example/policies/information-security-v4.2.pdf", file: nil, reviewInDays: 200, approved: true,
              supports: [("dspt-caf@2024-25", "A1.a"), ("ncsc-caf@3.2", "A1.a"), ("dspt-caf@2024-25", "B1.a")]),
        Entry(title: "Cyber Essentials certificate", description: "IASME certificate for the corporate network",
              url: nil, file: ("cyber-essentials-certificate.txt", "Cyber Essentials certificate (demo)\nOrganisation: Kingsmere University Hospitals NHS Foundation Trust\nScope: corporate network\n"),
              reviewInDays: 12, approved: true, supports: [("cyber-essentials@2025", "CE1"), ("ncsc-caf@3.2", "B4.b")]),
        Entry(title: "Backup restore test log", description: "Last full restore test of the EPR backup",
              url: nil, file: ("backup-restore-tests.csv", "date,system,result\n2025-09-14,EPR,partial restore only\n"),
              reviewInDays: -20, approved: false, supports: [("dspt-caf@2024-25", "B5.c")]),
        Entry(title: "Unsupported software inventory extract", description: "Imaging modality consoles on Windows 7",
              url: "https://intranet.kingsmere.example/it/asset-register/unsupported", file: nil, reviewInDays: 60, approved: false,
              supports: [("dspt-caf@2024-25", "B4.d"), ("ncsc-caf@3.2", "B4.d"), ("cyber-essentials@2025", "CE3.14d")]),
    ]
}
