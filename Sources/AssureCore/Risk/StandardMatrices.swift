/// The matrices Assure ships. Facts from ../shared/domain/nhs-risk-matrix.yaml and dcb-risk-matrix.yaml.
extension RiskMatrix {
    /// The NHS (NPSA 2008) 5×5: score = consequence × likelihood, 1–25. Only the Low band (1–3) was
    /// confirmed against a source; the others are the commonly used grading, so organisations
    /// can change them. Review intervals and the consequence descriptors per domain are Assure's
    /// defaults in the style of the NPSA tables (not its verbatim text); organisations edit them.
    public static let nhs5x5 = RiskMatrix(
        key: "nhs-5x5",
        name: "NHS 5×5 risk matrix (NPSA 2008)",
        source: "NPSA, A risk matrix for risk managers, January 2008 (bands other than Low, review intervals and domain descriptors: Assure defaults)",
        likelihood: [
            Level(score: 1, label: "Rare", definition: "Not expected to happen; may occur only in exceptional circumstances"),
            Level(score: 2, label: "Unlikely", definition: "Not expected to happen, but possible"),
            Level(score: 3, label: "Possible", definition: "Might happen or recur occasionally"),
            Level(score: 4, label: "Likely", definition: "Will probably happen or recur, but is not a persisting issue"),
            Level(score: 5, label: "Almost certain", definition: "Will undoubtedly happen or recur, possibly frequently"),
        ],
        consequence: [
            Level(score: 1, label: "Negligible"), Level(score: 2, label: "Minor"), Level(score: 3, label: "Moderate"),
            Level(score: 4, label: "Major"), Level(score: 5, label: "Catastrophic"),
        ],
        bands: [
            Band(key: "low", label: "Low", lower: 1, upper: 3, colour: "green", reviewEveryDays: 365,
                 verified: "partial: 1–3 Low confirmed in an NHS trust's adaptation of the NPSA matrix"),
            Band(key: "moderate", label: "Moderate", lower: 4, upper: 6, colour: "yellow", reviewEveryDays: 182, verified: "not verified against the NPSA text"),
            Band(key: "high", label: "High", lower: 8, upper: 12, colour: "orange", reviewEveryDays: 91, verified: "not verified against the NPSA text"),
            Band(key: "extreme", label: "Extreme", lower: 15, upper: 25, colour: "red", reviewEveryDays: 30, verified: "not verified against the NPSA text"),
        ],
        domains: [
            Domain(name: "Patient safety", descriptors: [
                "No harm or minimal injury needing no treatment", "Minor injury needing first aid or short-term treatment",
                "Moderate injury needing professional intervention; RIDDOR reportable", "Major injury leading to long-term incapacity or disability",
                "Death or permanent harm to one or more patients"]),
            Domain(name: "Service or business interruption", descriptors: [
                "Loss or interruption of under an hour", "Loss or interruption of up to 8 hours",
                "Loss or interruption of up to a day", "Loss or interruption of more than a day; critical services affected",
                "Permanent loss of a service or facility"]),
            Domain(name: "Finance", descriptors: [
                "Small loss, under 0.1% of budget", "Loss of 0.1–0.25% of budget", "Loss of 0.25–0.5% of budget",
                "Loss of 0.5–1% of budget; key objectives missed", "Loss of over 1% of budget; loss of contracts"]),
            Domain(name: "Compliance and regulation", descriptors: [
                "No or minimal impact on statutory duty", "Breach of statutory guidance; single failure to meet standards",
                "Single breach of statutory duty; improvement notice", "Enforcement action; multiple breaches; critical report",
                "Multiple breaches; prosecution; severely critical report"]),
            Domain(name: "Reputation", descriptors: [
                "Rumours; potential for public concern", "Local media coverage, short term", "Local media coverage, long term; loss of confidence",
                "National media coverage under 3 days", "National media coverage over 3 days; questions in Parliament"]),
            Domain(name: "Data and information", descriptors: [
                "Near miss; no personal data disclosed", "Disclosure of limited personal data to a trusted party",
                "Disclosure of personal data of a few people; reportable to the ICO", "Disclosure of sensitive data of many people; serious ICO breach",
                "Mass loss or disclosure of sensitive data; systems unavailable; national incident"]),
        ]
    )

    /// The DCB0129/DCB0160 clinical risk matrix for hazard logs: likelihood × consequence looked
    /// up to a rating 1–5, each with its acceptability.
    public static let dcbClinical = RiskMatrix(
        key: "dcb-clinical",
        name: "Clinical risk matrix (DCB0129/DCB0160)",
        source: "NHS England UK Core Hazard Log, following DCB0129/DCB0160",
        likelihood: [
            Level(score: 1, label: "Very low", definition: "Negligible or nearly negligible possibility"),
            Level(score: 2, label: "Low", definition: "Could occur but in the great majority of occasions will not"),
            Level(score: 3, label: "Medium", definition: "Possible"),
            Level(score: 4, label: "High", definition: "Not certain but very possible; expected in the majority of cases"),
            Level(score: 5, label: "Very high", definition: "Certain or almost certain; highly likely"),
        ],
        consequence: [
            Level(score: 1, label: "Minor", definition: "Minor injury, short-term recovery; minor psychological upset; inconvenience; negligible (single patient)"),
            Level(score: 2, label: "Significant", definition: "Minor injury, long-term recovery (single); significant psychological trauma (single); minor injury, short-term recovery (multiple)"),
            Level(score: 3, label: "Considerable", definition: "Severe injury, short-term recovery (single); severe psychological trauma (single); minor injury, long-term recovery (multiple)"),
            Level(score: 4, label: "Major", definition: "Death (single); permanent life-changing incapacity (single); severe injury, short-term recovery (multiple)"),
            Level(score: 5, label: "Catastrophic", definition: "Death (multiple); permanent life-changing incapacity (multiple)"),
        ],
        table: [
            [1, 1, 2, 2, 3],
            [1, 2, 2, 3, 4],
            [2, 2, 3, 3, 4],
            [2, 3, 3, 4, 5],
            [3, 4, 4, 5, 5],
        ],
        bands: [
            Band(key: "acceptable", label: "1 Acceptable", lower: 1, upper: 1, colour: "green", reviewEveryDays: 365, acceptable: "yes: no further action required"),
            Band(key: "alarp", label: "2 Acceptable (ALARP)", lower: 2, upper: 2, colour: "yellow", reviewEveryDays: 182,
                 acceptable: "conditional: where the cost of further reduction outweighs the benefit"),
            Band(key: "undesirable", label: "3 Undesirable", lower: 3, upper: 3, colour: "orange", reviewEveryDays: 91,
                 acceptable: "conditional: only when further reduction is impractical"),
            Band(key: "mandatory", label: "4 Mandatory reduction", lower: 4, upper: 4, colour: "red", reviewEveryDays: 30,
                 acceptable: "no: eliminate or control to reduce to an acceptable level"),
            Band(key: "unacceptable", label: "5 Unacceptable", lower: 5, upper: 5, colour: "red", reviewEveryDays: 30, acceptable: "no: unacceptable level of risk"),
        ]
    )

    public static let standard: [RiskMatrix] = [.nhs5x5, .dcbClinical]
}
