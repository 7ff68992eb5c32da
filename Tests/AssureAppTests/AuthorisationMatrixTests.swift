import AssureCore
import Fluent
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
        case signInFlow                  // sign-in and sign-out themselves (tested in SignInTests)
    }

    static let requirements: [String: Requirement] = [
        "GET /": .open,
        "GET /healthz": .open, "GET /readyz": .open, "GET /metrics": .open,
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
                        if case .parameter = component { return target.code }
                        return component.description
                    }.joined(separator: "/")
                    for person in people {
                        let expected = Self.allowed(requirement, person.memberships, signedIn: person.credentials != nil, target: target)
                        let status = try await Self.status(of: route.method, path, as: person.credentials, on: app)
                        let denied = [401, 403, 404].contains(status) || (status == 303 && person.credentials == nil && pattern != "GET /")
                        XCTAssertEqual(!denied, expected, "\(pattern) as \(person.label) on \(target.name) \(target.code): got \(status)")
                        checked += 1
                    }
                }
            }
            XCTAssertGreaterThan(checked, 300)
        }
    }

    static func allowed(_ requirement: Requirement, _ memberships: [Membership<String>], signedIn: Bool,
                        target: (name: String, code: String, ancestors: [String])) -> Bool {
        switch requirement {
        case .open: return true
        case .signedIn: return signedIn
        case .system(let action): return AccessPolicy.allowsSystemWide(memberships, action)
        case .organisation(let action): return AccessPolicy.allows(memberships, action, on: target.code, ancestors: target.ancestors)
        case .signInFlow: return true
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
