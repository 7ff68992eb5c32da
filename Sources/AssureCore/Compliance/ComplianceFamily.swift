/// The two national positions an organisation reports: its DSPT (on the NDG standards or aligned
/// to the CAF) and its NCSC CAF. An organisation's position in each is its latest assessment of
/// that family, the one with the highest number; every page, indicator and board pack means this.
public enum ComplianceFamily: String, CaseIterable, Sendable {
    case dspt
    case caf

    /// The framework identifiers that belong to the family.
    public var frameworks: [String] {
        switch self {
        case .dspt: ["dspt-ndg", "dspt-caf"]
        case .caf: ["ncsc-caf"]
        }
    }

    public static var allFrameworks: [String] { allCases.flatMap(\.frameworks) }

    public static func of(framework id: String) -> ComplianceFamily? {
        allCases.first { $0.frameworks.contains(id) }
    }

    /// The latest of each family among one organisation's assessments, by number.
    public static func latest<Assessment>(_ assessments: some Sequence<Assessment>, framework: (Assessment) -> String,
                                          number: (Assessment) -> Int) -> [ComplianceFamily: Assessment] {
        var latest: [ComplianceFamily: Assessment] = [:]
        for assessment in assessments {
            guard let family = of(framework: framework(assessment)) else { continue }
            if let current = latest[family], number(current) >= number(assessment) { continue }
            latest[family] = assessment
        }
        return latest
    }
}
