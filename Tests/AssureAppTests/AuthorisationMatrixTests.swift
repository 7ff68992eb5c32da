import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Every registered route × every role (and nobody) × an organisation of one's own, one below it
/// and an unrelated one. Each route must be listed in `requirements`, so a new route fails this
/// test until someone decides who may use it.
final class AuthorisationMatrixTests: XCTestCase {
    enum Requirement {
        case open                        // anyone, signed in or not
        case signedIn                    // anyone signed in (lists show only what they may read)
        case organisation(Actions)       // this action on the organisation in the address
        case system(Actions)             // a system administrator
        case signInFlow                  // sign-in, sign-out and password links themselves (tested in their own tests)
        case account                     // administer the account in the address (AccessPolicy.mayAdministerAccount)
        case national                    // read roll-up in every organisation at the top of the tree (here only Y99)
    }

    static let requirements: [String: Requirement] = [
        "GET /": .open,
        "GET /healthz": .open, "GET /readyz": .open, "GET /metrics": .open, "GET /help": .open, "GET /about": .signedIn,
        "GET /assets/\(AssureStylesheet.fingerprint.isEmpty ? "" : "assure-\(AssureStylesheet.fingerprint).css")": .open,
        "GET /api/v1/openapi.json": .open,
        "GET /sign-in": .signInFlow, "POST /sign-in": .signInFlow, "POST /sign-out": .signInFlow, "POST /sign-out-everywhere": .signInFlow,
        "GET /organisations": .signedIn,
        "GET /api/v1/organisations": .signedIn,
        "GET /organisations/new": .system(.administerSystem), "POST /organisations/new": .system(.administerSystem),
        "GET /organisations/import": .system(.administerSystem), "POST /organisations/import": .system(.administerSystem),
        "POST /api/v1/organisations": .system(.administerSystem), "POST /api/v1/organisations/import": .system(.administerSystem),
        "GET /organisations/:code": .organisation(.read),
        "GET /api/v1/organisations/:code": .organisation(.read),
        "GET /api/v1/organisations/:code/children": .organisation(.read),
        "GET /organisations/:code/edit": .organisation(.editOrganisation), "POST /organisations/:code/edit": .organisation(.editOrganisation),
        "PUT /api/v1/organisations/:code": .organisation(.editOrganisation),
        "GET /organisations/:code/audit": .organisation(.readAuditTrail), "GET /organisations/:code/audit.csv": .organisation(.readAuditTrail),
        "GET /api/v1/organisations/:code/audit": .organisation(.readAuditTrail),
        "GET /sign-in/sso": .signInFlow, "GET /sign-in/sso/callback": .signInFlow,
        "GET /set-password": .signInFlow, "POST /set-password": .signInFlow,
        "GET /account": .signedIn, "POST /account/password": .signedIn,
        "GET /account/tokens": .signedIn, "POST /account/tokens": .signedIn, "POST /account/tokens/revoke": .signedIn,
        "GET /people": .system(.administerSystem), "POST /people": .system(.administerSystem),
        "GET /api/v1/users": .system(.administerSystem), "POST /api/v1/users": .system(.administerSystem),
        "GET /people/:person": .account, "GET /api/v1/users/:person": .account,
        "POST /people/:person/disable": .account, "POST /people/:person/enable": .account,
        "POST /people/:person/reset-password": .account, "POST /people/:person/sign-out-everywhere": .account,
        "POST /api/v1/users/:person/disable": .account, "POST /api/v1/users/:person/enable": .account,
        "POST /api/v1/users/:person/reset-password": .account, "POST /api/v1/users/:person/sign-out-everywhere": .account,
        "GET /organisations/:code/people": .organisation(.manageMemberships), "POST /organisations/:code/people": .organisation(.manageMemberships),
        "POST /organisations/:code/people/remove": .organisation(.manageMemberships),
        "GET /api/v1/organisations/:code/members": .organisation(.manageMemberships),
        "POST /api/v1/organisations/:code/members": .organisation(.manageMemberships),
        "DELETE /api/v1/organisations/:code/members/:membership": .organisation(.manageMemberships),
        "GET /organisations/:code/risks": .organisation(.read), "GET /organisations/:code/risks.csv": .organisation(.read),
        "GET /organisations/:code/risks/heat-map": .organisation(.read), "GET /organisations/:code/risks/:risk": .organisation(.read),
        "GET /organisations/:code/risk-settings": .organisation(.read), "POST /organisations/:code/risk-settings": .organisation(.manageSettings),
        "POST /organisations/:code/risk-settings/matrix": .organisation(.manageSettings),
        "GET /organisations/:code/risks/new": .organisation(.createRecord), "POST /organisations/:code/risks/new": .organisation(.createRecord),
        // The matrix's risks belong to someone else, so only those who may change any risk may change them.
        "GET /organisations/:code/risks/:risk/edit": .organisation(.editAnyRecord), "POST /organisations/:code/risks/:risk/edit": .organisation(.editAnyRecord),
        "POST /organisations/:code/risks/:risk/review": .organisation(.editAnyRecord), "POST /organisations/:code/risks/:risk/controls": .organisation(.editAnyRecord),
        "POST /organisations/:code/risks/:risk/actions": .organisation(.editAnyRecord),
        "POST /organisations/:code/risks/:risk/action-status": .organisation(.updateAssignedAction),
        "GET /api/v1/organisations/:code/risks": .organisation(.read), "POST /api/v1/organisations/:code/risks": .organisation(.createRecord),
        "GET /api/v1/organisations/:code/risks/heat-map": .organisation(.read), "GET /api/v1/organisations/:code/risks/:risk": .organisation(.read),
        "PUT /api/v1/organisations/:code/risks/:risk": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/risks/:risk/review": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/risks/:risk/controls": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/risks/:risk/actions": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/risks/:risk/action-status": .organisation(.updateAssignedAction),
        "GET /api/v1/organisations/:code/risk-settings": .organisation(.read), "PUT /api/v1/organisations/:code/risk-settings": .organisation(.manageSettings),
        "GET /organisations/:code/risks/import": .organisation(.editAnyRecord), "POST /organisations/:code/risks/import": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/risks/import": .organisation(.editAnyRecord),
        "GET /organisations/:code/baf": .organisation(.read), "POST /organisations/:code/baf": .organisation(.editAnyRecord),
        "GET /organisations/:code/baf/:objective": .organisation(.read),
        "POST /organisations/:code/baf/:objective/link": .organisation(.editAnyRecord), "POST /organisations/:code/baf/:objective/unlink": .organisation(.editAnyRecord),
        "POST /organisations/:code/baf/:objective/sources": .organisation(.editAnyRecord), "POST /organisations/:code/baf/:objective/rating": .organisation(.editAnyRecord),
        "GET /organisations/:code/escalated-risks": .organisation(.read),
        "GET /organisations/:code/assessments": .organisation(.read), "POST /organisations/:code/assessments": .organisation(.editAnyRecord),
        "GET /organisations/:code/assessments/:assessment": .organisation(.read),
        "GET /organisations/:code/assessments/:assessment/items/:item": .organisation(.read),
        // The matrix's results belong to no one, so only those who may change any record may record them.
        "POST /organisations/:code/assessments/:assessment/items/:item": .organisation(.editAnyRecord),
        "GET /api/v1/frameworks": .signedIn, "GET /api/v1/frameworks/:framework": .signedIn,
        "GET /api/v1/organisations/:code/assessments": .organisation(.read), "POST /api/v1/organisations/:code/assessments": .organisation(.editAnyRecord),
        "GET /api/v1/organisations/:code/assessments/:assessment": .organisation(.read),
        "PUT /api/v1/organisations/:code/assessments/:assessment/items/:item": .organisation(.editAnyRecord),
        "POST /organisations/:code/assessments/copy": .organisation(.editAnyRecord),
        "GET /organisations/:code/compliance-positions": .organisation(.read), "GET /api/v1/organisations/:code/compliance-positions": .organisation(.read),
        "POST /organisations/:code/assessments/:assessment/checks": .organisation(.editAnyRecord),
        "GET /organisations/:code/assessments/:assessment/report": .organisation(.read),
        "GET /organisations/:code/assessments/:assessment/results.csv": .organisation(.read),
        "GET /organisations/:code/assessments/:assessment/oscal.json": .organisation(.read),
        "POST /organisations/:code/assessments/:assessment/items/:item/evidence": .organisation(.editAnyRecord),
        "POST /organisations/:code/assessments/:assessment/items/:item/evidence/remove": .organisation(.editAnyRecord),
        "GET /organisations/:code/evidence": .organisation(.read),
        "POST /organisations/:code/evidence/upload": .organisation(.createRecord), "POST /organisations/:code/evidence/link": .organisation(.createRecord),
        "GET /organisations/:code/evidence/:evidence": .organisation(.read),
        // The matrix's evidence belongs to someone else, so only those who may change any record may change it.
        "POST /organisations/:code/evidence/:evidence": .organisation(.editAnyRecord),
        "POST /organisations/:code/evidence/:evidence/approval": .organisation(.approve),
        "GET /organisations/:code/evidence/:evidence/file": .organisation(.read),
        "GET /api/v1/organisations/:code/evidence": .organisation(.read), "POST /api/v1/organisations/:code/evidence": .organisation(.createRecord),
        "GET /api/v1/organisations/:code/evidence/:evidence": .organisation(.read),
        "POST /api/v1/organisations/:code/evidence/:evidence/approval": .organisation(.approve),
        "GET /api/v1/organisations/:code/evidence/:evidence/file": .organisation(.read),
        "POST /api/v1/organisations/:code/assessments/:assessment/items/:item/evidence": .organisation(.editAnyRecord),
        "DELETE /api/v1/organisations/:code/assessments/:assessment/items/:item/evidence/:evidence": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/assessments/:assessment/checks": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/assessments/:assessment/copy": .organisation(.editAnyRecord),
        "GET /api/v1/organisations/:code/assessments/:assessment/oscal": .organisation(.read),
        "GET /api/v1/organisations/:code/baf": .organisation(.read), "POST /api/v1/organisations/:code/baf/objectives": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/baf/objectives/:objective/link": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/baf/objectives/:objective/unlink": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/baf/objectives/:objective/sources": .organisation(.editAnyRecord),
        "POST /api/v1/organisations/:code/baf/objectives/:objective/rating": .organisation(.editAnyRecord),
        "GET /api/v1/organisations/:code/risk-matrices": .organisation(.read), "PUT /api/v1/organisations/:code/risk-matrices": .organisation(.manageSettings),
        "GET /organisations/:code/estate": .organisation(.read), "POST /organisations/:code/estate/import": .organisation(.editAnyRecord),
        "POST /organisations/:code/estate/analyse": .organisation(.editAnyRecord), "POST /organisations/:code/estate/settings": .organisation(.manageSettings),
        "GET /organisations/:code/estate/devices": .organisation(.read), "GET /organisations/:code/estate/devices.csv": .organisation(.read),
        "GET /organisations/:code/estate/devices/:device": .organisation(.read), "GET /organisations/:code/estate/vulnerabilities/:cve": .organisation(.read),
        "GET /organisations/:code/estate/unmapped": .organisation(.read), "POST /estate/title-rules": .system(.administerSystem),
        "GET /organisations/:code/cyber-alerts": .organisation(.read), "POST /organisations/:code/cyber-alerts/:alert": .organisation(.editAnyRecord),
        "POST /cyber-alerts": .system(.administerSystem),
        "GET /api/v1/organisations/:code/estate": .organisation(.read), "GET /api/v1/organisations/:code/estate/devices": .organisation(.read),
        "GET /api/v1/organisations/:code/estate/devices/:device": .organisation(.read),
        "GET /api/v1/organisations/:code/estate/vulnerabilities/:cve": .organisation(.read),
        "POST /api/v1/organisations/:code/estate/import": .organisation(.editAnyRecord), "POST /api/v1/organisations/:code/estate/analyse": .organisation(.editAnyRecord),
        "GET /api/v1/organisations/:code/cyber-alerts": .organisation(.read), "POST /api/v1/organisations/:code/cyber-alerts/:alert": .organisation(.editAnyRecord),
        "POST /api/v1/cyber-alerts": .system(.administerSystem),
        "GET /organisations/:code/board-pack": .organisation(.read), "GET /api/v1/organisations/:code/indicators": .organisation(.read),
        "GET /organisations/:code/oversight": .organisation(.readRollUp), "GET /organisations/:code/oversight.csv": .organisation(.readRollUp),
        "GET /api/v1/organisations/:code/oversight": .organisation(.readRollUp),
        "GET /oversight": .national, "GET /oversight.csv": .national, "GET /api/v1/oversight": .national,
    ]

    // Roles are held in ICB Q9A: T91 sits below it, T94 is elsewhere (under Q9B).
    static let targets: [(name: String, code: String, ancestors: [String])] = [
        ("own", "Q9A", ["Y99"]), ("child", "T91", ["Q9A", "Y99"]), ("unrelated", "T94", ["Q9B", "Y99"]),
    ]

    func testEveryRouteForEveryRoleAndOrganisation() async throws {
        try await withAssure(demo: true) { app in
            var people: [(label: String, credentials: TestCredentials?, memberships: [Membership<String>])] = [("nobody", nil, [])]
            for role in Role.allCases {
                let organisation = role == .systemAdmin ? nil : "Q9A"
                let credentials = try await TestCredentials.make(role: role, organisation: organisation, on: app, email: "\(role.rawValue)@matrix.test")
                people.append((role.rawValue, credentials, [Membership(organisation: organisation ?? "", role: role)]))
            }
            // Someone holding a viewer role in each target organisation, for the account routes.
            var targetPeople: [String: String] = [:]
            for target in Self.targets {
                let user = User(email: try EmailAddress("person-\(target.name)@matrix.test"), displayName: "Person \(target.name)", passwordHash: nil)
                try await user.create(on: app.db)
                let organisation = try await OrganisationDirectory(database: app.db).require(target.code)
                try await OrganisationMembership(userID: user.requireID(), organisationID: organisation.id, role: .viewer).create(on: app.db)
                targetPeople[target.code] = try user.requireID().uuidString
                // A risk owned by that person, for the risk routes.
                var input = RiskDraft.Input()
                input.title = "Matrix risk"; input.cause = "c"; input.event = "e"; input.effect = "f"; input.category = "cyber-security"
                input.owner = user.email; input.opened = "2026-01-01"
                for field in RiskDraft.Input.fields where field.hasSuffix("_likelihood") || field.hasSuffix("_consequence") { input[field] = "2" }
                let context = try await commandContext(target.code, on: app, today: "2026-11-22")
                let register = RiskRegister(context)
                _ = try await register.create(input)
                var objective = BoardAssuranceChanges.ObjectiveInput()
                objective.title = "Matrix objective"; objective.lead = user.email
                _ = try await BoardAssuranceChanges(register: register).createObjective(objective)
                _ = try await Assessments(context: context, frameworks: .shipped).start(.init(framework: "ncsc-caf@3.2", period: "2025-26", final_due: "2026-06-30"))
                // Evidence E1, a file owned by that person, for the evidence routes.
                _ = try await EvidenceLibrary(context: context, store: EvidenceStore(dataDirectory: app.assureConfiguration.dataDirectory, threadPool: app.threadPool), maxBytes: 1_048_576)
                    .addFile(.init(title: "Matrix evidence", owner: user.email), upload: .init(name: "matrix.txt", data: Data("evidence".utf8)), by: user.email)
            }
            // The estate routes need a device in each target, a CVE in the knowledge base and an alert.
            try await Self.seedMatrixEstate(app)
            var checked = 0
            for route in app.routes.all {
                let pattern = "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
                guard let requirement = Self.requirements[pattern] else {
                    return XCTFail("\(pattern) is not in the authorisation matrix: decide who may use it and add it")
                }
                if case .signInFlow = requirement { continue }
                let usesCode = route.path.contains { if case .parameter = $0 { true } else { false } }
                for target in usesCode ? Self.targets : [Self.targets[0]] {
                    let path = "/" + route.path.map { component -> String in
                        if case .parameter(let name) = component {
                            return name == "person" ? targetPeople[target.code]! : name == "risk" ? "R-0001" : name == "objective" ? "SO1" : name == "assessment" ? "A1" : name == "item" ? "A2.a" : name == "framework" ? "ncsc-caf@3.2" : name == "evidence" ? "E1" : name == "device" ? "matrix-device" : name == "cve" ? "CVE-2019-0708" : name == "alert" ? "CC-MATRIX" : target.code
                        }
                        return component.description
                    }.joined(separator: "/")
                    for person in people {
                        let expected = Self.allowed(requirement, person.memberships, signedIn: person.credentials != nil, target: target)
                        let status = try await Self.status(of: route.method, path, as: person.credentials, on: app)
                        // A 500 is a fault, never "allowed" and never "denied".
                        XCTAssertLessThan(status, 500, "\(pattern) as \(person.label) on \(target.name) \(target.code): server error")
                        let denied = [401, 403, 404].contains(status) || (status == 303 && person.credentials == nil && pattern != "GET /")
                        XCTAssertEqual(!denied, expected, "\(pattern) as \(person.label) on \(target.name) \(target.code): got \(status)")
                        checked += 1
                    }
                }
            }
            XCTAssertGreaterThan(checked, 300)
        }
    }

    static func seedMatrixEstate(_ app: Application) async throws {
        try await DemoEstate.loadShippedKnowledge(on: app)
        let sql = try XCTUnwrap(app.db as? any SQLDatabase)
        for target in Self.targets {
            let organisation = try await OrganisationDirectory(database: app.db).require(target.code)
            try await sql.insert(into: "estate_devices").columns("id", "organisation_id", "device_key", "hostname", "device_type", "os_name", "os_build", "site", "owner",
                                                                 "criticality", "clinical", "source", "imported_at")
                .values(SQLBind(UUID()), SQLBind(organisation.id), SQLBind("matrix-device"), SQLBind("MATRIX"), SQLBind("workstation"), SQLBind("Windows 7"),
                        SQLBind("6.1.7601.24546"), SQLBind(""), SQLBind(""), SQLBind("medium"), SQLBind(false), SQLBind("csv"), SQLBind(Date())).run()
        }
        try await sql.insert(into: "cyber_alerts").columns("id", "reference", "title", "issued_at", "cves", "required_action", "created_by")
            .values(SQLBind(UUID()), SQLBind("CC-MATRIX"), SQLBind("Matrix alert"), SQLBind(Date()), SQLBind("CVE-2019-0708"), SQLBind("Patch"), SQLBind("test")).run()
    }

    static func allowed(_ requirement: Requirement, _ memberships: [Membership<String>], signedIn: Bool,
                        target: (name: String, code: String, ancestors: [String])) -> Bool {
        switch requirement {
        case .open: return true
        case .signedIn: return signedIn
        case .system(let action): return AccessPolicy.allowsSystemWide(memberships, action)
        case .organisation(let action): return AccessPolicy.allows(memberships, action, on: target.code, ancestors: target.ancestors)
        case .signInFlow: return true
        case .national: return AccessPolicy.allows(memberships, .readRollUp, on: "Y99", ancestors: [])
        case .account:
            return AccessPolicy.mayAdministerAccount(memberships, holding: [(Membership(organisation: target.code, role: .viewer), target.ancestors)])
        }
    }

    /// Sends a harmless request: bodies are empty or invalid, so an allowed write is refused as bad input, not performed.
    static func status(of method: HTTPMethod, _ path: String, as credentials: TestCredentials?, on app: Application) async throws -> Int {
        var status = 0
        var headers: HTTPHeaders = path.hasPrefix("/api/") ? ["Content-Type": "application/json", "Accept": "application/json"]
            : ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]
        if path.hasSuffix("/import") { headers.replaceOrAdd(name: .contentType, value: path.hasPrefix("/api/") ? "text/csv" : "application/x-www-form-urlencoded") }
        let body: ByteBuffer? = method == .GET ? nil : ByteBuffer(string: path.hasPrefix("/api/") ? (path.hasSuffix("/import") ? "" : "{}") : "name=")
        try await app.send(method, path, headers: headers, body: body, as: .some(credentials)) { res async throws in
            status = Int(res.status.code)
        }
        return status
    }
}
