import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// Every registered route × every role (and nobody) × an organisation of one's own, one below it
/// and an unrelated one. Each route's module says who may use it (`AssureModule.access`), so a
/// new route fails this test until someone decides who may use it.
final class AuthorisationMatrixTests: XCTestCase {
    typealias Requirement = AssureModule.Access

    static let requirements = AssureModules.access

    func testEveryDeclaredRequirementNamesARegisteredRoute() async throws {
        try await withAssure { app in
            let registered = Set(app.routes.all.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") })
            for pattern in Self.requirements.keys.sorted() {
                XCTAssertTrue(registered.contains(pattern), "\(pattern) is in a module's access table but no such route is registered")
            }
            let declared = AssureModules.all.reduce(0) { $0 + $1.access.count }
            XCTAssertEqual(declared, Self.requirements.count, "two modules declare the same route")
        }
    }

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
                            if name == "person" { return targetPeople[target.code]! }
                            return Self.examples[name] ?? target.code
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

    /// The value each route parameter takes: the module's example (which the seeding above makes
    /// in every target), the person held in the target, or the target's ODS code.
    static let examples = AssureModules.routeParameterExamples

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
