import Vapor

/// Every page and API address Assure serves, used both to register routes and to build links,
/// so a link can never point at a route that does not exist.
enum SiteURL: Equatable {
    case home
    case signIn
    case signOut
    case signOutEverywhere
    case singleSignOn
    case singleSignOnCallback
    case setPassword
    case account
    case accountTokens
    case revokeAccountToken
    case changePassword
    case people
    case person(String)
    case personAction(String, PersonAction)
    case organisationPeople(String)
    case risks(String)
    case risksCSV(String)
    case newRisk(String)
    case importRisks(String)
    case heatMap(String)
    case riskSettings(String)
    case riskMatrixEdit(String)
    case risk(String, String)
    case riskAction(String, String, RiskPageAction)
    case baf(String)
    case objective(String, String)
    case objectiveAction(String, String, ObjectiveAction)
    case escalatedRisks(String)
    case assessments(String)
    case assessment(String, String)
    case assessmentItem(String, String, String)
    case assessmentItemEvidence(String, String, String)
    case assessmentItemEvidenceRemove(String, String, String)
    case assessmentChecks(String, String)
    case assessmentReport(String, String)
    case assessmentCSV(String, String)
    case assessmentOSCAL(String, String)
    case copyAssessment(String)
    case compliancePositions(String)
    case evidenceLibrary(String)
    case uploadEvidence(String)
    case addEvidenceLink(String)
    case evidence(String, String)
    case evidenceApproval(String, String)
    case evidenceFile(String, String)
    case estate(String)
    case estateImport(String)
    case estateAnalyse(String)
    case estateSettings(String)
    case estateDevices(String)
    case estateDevicesCSV(String)
    case estateDevice(String, String)
    case estateVulnerability(String, String)
    case estateUnmapped(String)
    case titleRules
    case cyberAlerts(String)
    case cyberAlertResponse(String, String)
    case newCyberAlert
    case removeMember(String)
    case organisations
    case newOrganisation
    case importOrganisations
    case organisation(String)
    case editOrganisation(String)
    case auditTrail(String)
    case auditCSV(String)
    case boardPack(String)
    case oversight(String)
    case oversightCSV(String)
    case nationalOversight
    case nationalOversightCSV
    case stylesheet
    case help
    case about
    case healthz
    case readyz
    case metrics
    case api(APIURL)

    enum APIURL: Equatable {
        case openAPI
        case organisations
        case importOrganisations
        case organisation(String)
        case children(String)
        case audit(String)
        case members(String)
        case member(String, String)
        case users
        case user(String)
        case userAction(String, PersonAction)
        case risks(String)
        case risk(String, String)
        case riskReview(String, String)
        case riskChange(String, String, RiskPageAction)
        case heatMap(String)
        case riskSettings(String)
        case riskMatrices(String)
        case importRisks(String)
        case baf(String)
        case objectives(String)
        case objectiveAction(String, String, ObjectiveAction)
        case frameworks
        case framework(String)
        case assessments(String)
        case assessment(String, String)
        case assessmentItem(String, String, String)
        case assessmentItemEvidence(String, String, String)
        case assessmentItemEvidenceItem(String, String, String, String)
        case assessmentChecks(String, String)
        case assessmentCopy(String, String)
        case assessmentOSCAL(String, String)
        case compliancePositions(String)
        case evidenceLibrary(String)
        case evidence(String, String)
        case evidenceApproval(String, String)
        case evidenceFile(String, String)
        case estate(String)
        case estateDevices(String)
        case estateDevice(String, String)
        case estateVulnerability(String, String)
        case estateImport(String)
        case estateAnalyse(String)
        case cyberAlerts(String)
        case cyberAlertResponse(String, String)
        case newCyberAlert
        case indicators(String)
        case oversight(String)
        case nationalOversight
    }

    /// What an administrator does to a person's account.
    enum PersonAction: String, CaseIterable, Sendable {
        case disable, enable
        case resetPassword = "reset-password"
        case signOutEverywhere = "sign-out-everywhere"
    }

    /// What is done to one risk, each its own address.
    enum RiskPageAction: String, CaseIterable, Sendable {
        case edit, review, controls, actions
        case actionStatus = "action-status"
    }

    /// What is done to a strategic objective on the Board Assurance Framework.
    enum ObjectiveAction: String, CaseIterable, Sendable {
        case link, unlink, sources, rating
    }

    /// The parameter names used in route patterns for an assessment (A1) and one of its items (A2.a).
    static let assessmentReference = ":assessment"
    static let assessmentItemID = ":item"
    /// A framework catalogue's key, `ncsc-caf` or `ncsc-caf@3.2`.
    static let frameworkKey = ":framework"
    /// The parameter names for a device (its inventory id), a CVE and a cyber alert (CC-4512).
    static let deviceKey = ":device"
    static let cveID = ":cve"
    static let alertReference = ":alert"

    /// The parameter name for a piece of evidence (E1).
    static let evidenceReference = ":evidence"

    /// The parameter name used in route patterns for a strategic objective (SO1).
    static let objectiveReference = ":objective"

    /// The parameter name used in route patterns for a risk's reference (R-0042).
    static let riskReference = ":risk"

    /// The parameter names used in route patterns for a person's account id and a membership's id.
    static let personID = ":person"
    static let membershipID = ":membership"

    /// The parameter name used in route patterns for an organisation's ODS code.
    static let code = ":code"

    var path: String {
        switch self {
        case .home: "/"
        case .signIn: "/sign-in"
        case .signOut: "/sign-out"
        case .signOutEverywhere: "/sign-out-everywhere"
        case .singleSignOn: "/sign-in/sso"
        case .singleSignOnCallback: "/sign-in/sso/callback"
        case .setPassword: "/set-password"
        case .account: "/account"
        case .accountTokens: "/account/tokens"
        case .revokeAccountToken: "/account/tokens/revoke"
        case .changePassword: "/account/password"
        case .people: "/people"
        case .person(let id): "/people/\(id)"
        case .personAction(let id, let action): "/people/\(id)/\(action.rawValue)"
        case .organisationPeople(let code): "/organisations/\(code)/people"
        case .risks(let code): "/organisations/\(code)/risks"
        case .risksCSV(let code): "/organisations/\(code)/risks.csv"
        case .newRisk(let code): "/organisations/\(code)/risks/new"
        case .importRisks(let code): "/organisations/\(code)/risks/import"
        case .heatMap(let code): "/organisations/\(code)/risks/heat-map"
        case .riskSettings(let code): "/organisations/\(code)/risk-settings"
        case .riskMatrixEdit(let code): "/organisations/\(code)/risk-settings/matrix"
        case .risk(let code, let reference): "/organisations/\(code)/risks/\(reference)"
        case .riskAction(let code, let reference, let action): "/organisations/\(code)/risks/\(reference)/\(action.rawValue)"
        case .baf(let code): "/organisations/\(code)/baf"
        case .objective(let code, let reference): "/organisations/\(code)/baf/\(reference)"
        case .objectiveAction(let code, let reference, let action): "/organisations/\(code)/baf/\(reference)/\(action.rawValue)"
        case .escalatedRisks(let code): "/organisations/\(code)/escalated-risks"
        case .assessments(let code): "/organisations/\(code)/assessments"
        case .assessment(let code, let reference): "/organisations/\(code)/assessments/\(reference)"
        case .assessmentItem(let code, let reference, let item): "/organisations/\(code)/assessments/\(reference)/items/\(item)"
        case .assessmentItemEvidence(let code, let reference, let item): "/organisations/\(code)/assessments/\(reference)/items/\(item)/evidence"
        case .assessmentItemEvidenceRemove(let code, let reference, let item): "/organisations/\(code)/assessments/\(reference)/items/\(item)/evidence/remove"
        case .assessmentChecks(let code, let reference): "/organisations/\(code)/assessments/\(reference)/checks"
        case .assessmentReport(let code, let reference): "/organisations/\(code)/assessments/\(reference)/report"
        case .assessmentCSV(let code, let reference): "/organisations/\(code)/assessments/\(reference)/results.csv"
        case .assessmentOSCAL(let code, let reference): "/organisations/\(code)/assessments/\(reference)/oscal.json"
        case .copyAssessment(let code): "/organisations/\(code)/assessments/copy"
        case .compliancePositions(let code): "/organisations/\(code)/compliance-positions"
        case .evidenceLibrary(let code): "/organisations/\(code)/evidence"
        case .uploadEvidence(let code): "/organisations/\(code)/evidence/upload"
        case .addEvidenceLink(let code): "/organisations/\(code)/evidence/link"
        case .evidence(let code, let reference): "/organisations/\(code)/evidence/\(reference)"
        case .evidenceApproval(let code, let reference): "/organisations/\(code)/evidence/\(reference)/approval"
        case .evidenceFile(let code, let reference): "/organisations/\(code)/evidence/\(reference)/file"
        case .estate(let code): "/organisations/\(code)/estate"
        case .estateImport(let code): "/organisations/\(code)/estate/import"
        case .estateAnalyse(let code): "/organisations/\(code)/estate/analyse"
        case .estateSettings(let code): "/organisations/\(code)/estate/settings"
        case .estateDevices(let code): "/organisations/\(code)/estate/devices"
        case .estateDevicesCSV(let code): "/organisations/\(code)/estate/devices.csv"
        case .estateDevice(let code, let key): "/organisations/\(code)/estate/devices/\(Self.segment(key))"
        case .estateVulnerability(let code, let cve): "/organisations/\(code)/estate/vulnerabilities/\(cve)"
        case .estateUnmapped(let code): "/organisations/\(code)/estate/unmapped"
        case .titleRules: "/estate/title-rules"
        case .cyberAlerts(let code): "/organisations/\(code)/cyber-alerts"
        case .cyberAlertResponse(let code, let reference): "/organisations/\(code)/cyber-alerts/\(reference)"
        case .newCyberAlert: "/cyber-alerts"
        case .removeMember(let code): "/organisations/\(code)/people/remove"
        case .organisations: "/organisations"
        case .newOrganisation: "/organisations/new"
        case .importOrganisations: "/organisations/import"
        case .organisation(let code): "/organisations/\(code)"
        case .editOrganisation(let code): "/organisations/\(code)/edit"
        case .auditTrail(let code): "/organisations/\(code)/audit"
        case .auditCSV(let code): "/organisations/\(code)/audit.csv"
        case .boardPack(let code): "/organisations/\(code)/board-pack"
        case .oversight(let code): "/organisations/\(code)/oversight"
        case .oversightCSV(let code): "/organisations/\(code)/oversight.csv"
        case .nationalOversight: "/oversight"
        case .nationalOversightCSV: "/oversight.csv"
        case .stylesheet: "/assets/assure-\(AssureStylesheet.fingerprint).css"
        case .healthz: "/healthz"
        case .help: "/help"
        case .about: "/about"
        case .readyz: "/readyz"
        case .metrics: "/metrics"
        case .api(let api):
            switch api {
            case .openAPI: "/api/v1/openapi.json"
            case .organisations: "/api/v1/organisations"
            case .importOrganisations: "/api/v1/organisations/import"
            case .organisation(let code): "/api/v1/organisations/\(code)"
            case .children(let code): "/api/v1/organisations/\(code)/children"
            case .audit(let code): "/api/v1/organisations/\(code)/audit"
            case .members(let code): "/api/v1/organisations/\(code)/members"
            case .member(let code, let id): "/api/v1/organisations/\(code)/members/\(id)"
            case .users: "/api/v1/users"
            case .user(let id): "/api/v1/users/\(id)"
            case .userAction(let id, let action): "/api/v1/users/\(id)/\(action.rawValue)"
            case .risks(let code): "/api/v1/organisations/\(code)/risks"
            case .risk(let code, let reference): "/api/v1/organisations/\(code)/risks/\(reference)"
            case .riskReview(let code, let reference): "/api/v1/organisations/\(code)/risks/\(reference)/review"
            case .riskChange(let code, let reference, let action): "/api/v1/organisations/\(code)/risks/\(reference)/\(action.rawValue)"
            case .heatMap(let code): "/api/v1/organisations/\(code)/risks/heat-map"
            case .riskSettings(let code): "/api/v1/organisations/\(code)/risk-settings"
            case .riskMatrices(let code): "/api/v1/organisations/\(code)/risk-matrices"
            case .importRisks(let code): "/api/v1/organisations/\(code)/risks/import"
            case .baf(let code): "/api/v1/organisations/\(code)/baf"
            case .objectives(let code): "/api/v1/organisations/\(code)/baf/objectives"
            case .objectiveAction(let code, let reference, let action): "/api/v1/organisations/\(code)/baf/objectives/\(reference)/\(action.rawValue)"
            case .frameworks: "/api/v1/frameworks"
            case .framework(let key): "/api/v1/frameworks/\(key)"
            case .assessments(let code): "/api/v1/organisations/\(code)/assessments"
            case .assessment(let code, let reference): "/api/v1/organisations/\(code)/assessments/\(reference)"
            case .assessmentItem(let code, let reference, let item): "/api/v1/organisations/\(code)/assessments/\(reference)/items/\(item)"
            case .assessmentItemEvidence(let code, let reference, let item): "/api/v1/organisations/\(code)/assessments/\(reference)/items/\(item)/evidence"
            case .assessmentItemEvidenceItem(let code, let reference, let item, let evidence):
                "/api/v1/organisations/\(code)/assessments/\(reference)/items/\(item)/evidence/\(evidence)"
            case .assessmentChecks(let code, let reference): "/api/v1/organisations/\(code)/assessments/\(reference)/checks"
            case .assessmentCopy(let code, let reference): "/api/v1/organisations/\(code)/assessments/\(reference)/copy"
            case .assessmentOSCAL(let code, let reference): "/api/v1/organisations/\(code)/assessments/\(reference)/oscal"
            case .compliancePositions(let code): "/api/v1/organisations/\(code)/compliance-positions"
            case .evidenceLibrary(let code): "/api/v1/organisations/\(code)/evidence"
            case .evidence(let code, let reference): "/api/v1/organisations/\(code)/evidence/\(reference)"
            case .evidenceApproval(let code, let reference): "/api/v1/organisations/\(code)/evidence/\(reference)/approval"
            case .evidenceFile(let code, let reference): "/api/v1/organisations/\(code)/evidence/\(reference)/file"
            case .estate(let code): "/api/v1/organisations/\(code)/estate"
            case .estateDevices(let code): "/api/v1/organisations/\(code)/estate/devices"
            case .estateDevice(let code, let key): "/api/v1/organisations/\(code)/estate/devices/\(Self.segment(key))"
            case .estateVulnerability(let code, let cve): "/api/v1/organisations/\(code)/estate/vulnerabilities/\(cve)"
            case .estateImport(let code): "/api/v1/organisations/\(code)/estate/import"
            case .estateAnalyse(let code): "/api/v1/organisations/\(code)/estate/analyse"
            case .cyberAlerts(let code): "/api/v1/organisations/\(code)/cyber-alerts"
            case .cyberAlertResponse(let code, let reference): "/api/v1/organisations/\(code)/cyber-alerts/\(reference)"
            case .newCyberAlert: "/api/v1/cyber-alerts"
            case .indicators(let code): "/api/v1/organisations/\(code)/indicators"
            case .oversight(let code): "/api/v1/organisations/\(code)/oversight"
            case .nationalOversight: "/api/v1/oversight"
            }
        }
    }

    /// A value (a device's inventory id) made safe as one path segment.
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? value
    }

    /// Path components for registering this URL as a route (`:code` becomes a parameter).
    var pathComponents: [PathComponent] {
        path.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
    }

    /// A link with query items, values percent-encoded.
    func with(query: [(String, String)]) -> String {
        var components = URLComponents()
        components.path = path
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return components.string ?? path
    }
}

extension Request {
    /// A route parameter by its pattern name (`SiteURL.riskReference`, ":risk"); a route without it is not found.
    func pathParameter(_ pattern: String) throws -> String {
        guard let value = parameters.get(String(pattern.dropFirst())) else { throw Abort(.notFound) }
        return value
    }

    /// The `:code` route parameter, upper-cased as ODS codes are stored.
    var organisationCode: String {
        get throws {
            guard let code = parameters.get(String(SiteURL.code.dropFirst())) else {
                throw Abort(.badRequest, reason: "An ODS code is required in the address")
            }
            return code.uppercased()
        }
    }
}
