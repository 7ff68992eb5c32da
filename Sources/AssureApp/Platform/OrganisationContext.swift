import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Who is acting: a signed-in person (or API token owner), or a command run by an operator on the
/// server, who may do anything the command does. A command never pretends to be a person.
enum Caller: Sendable {
    case person(Identity)
    case commandLine(String)
}

/// Everything a page, API handler or command needs to work in one organisation, built once: who
/// is asking and what they may do there, the organisation and its ancestry (read once), the audit
/// actor, the clock and the database. Every domain takes this; none builds it from another domain.
struct OrganisationContext: Sendable {
    let caller: Caller
    let organisation: OrganisationRecord
    /// From the top of the tree down to, and including, the organisation.
    let chain: [OrganisationRecord]
    let audit: AuditContext
    let clock: AssureClock
    /// Fixed when the context is built, so one request sees one day.
    let today: CalendarDay
    let database: any Database

    init(caller: Caller, chain: [OrganisationRecord], audit: AuditContext, clock: AssureClock, database: any Database) {
        precondition(!chain.isEmpty, "an organisation context needs the organisation")
        self.caller = caller
        self.organisation = chain[chain.count - 1]
        self.chain = chain
        self.audit = audit
        self.clock = clock
        self.today = clock.today
        self.database = database
    }

    /// The ODS codes above the organisation, top first.
    var ancestors: [String] { chain.dropLast().map(\.odsCode) }

    /// The name the audit trail records: the person's email or `command:<name>`.
    var actor: String { audit.actor }

    /// The signed-in person, when there is one.
    var person: Identity? {
        if case .person(let identity) = caller { return identity }
        return nil
    }

    /// What the caller may do here, by the one permission function. A command may do anything.
    func may(_ action: Actions) -> Bool {
        guard let person else { return true }
        return AccessPolicy.allows(person.memberships, action, on: organisation.odsCode, ancestors: ancestors)
    }

    /// Whether the caller may do something that belongs to no single organisation.
    func maySystemWide(_ action: Actions) -> Bool {
        guard let person else { return true }
        return AccessPolicy.allowsSystemWide(person.memberships, action)
    }

    /// The same caller, clock and database in another organisation (below this one, say).
    func moved(to chain: [OrganisationRecord]) -> OrganisationContext {
        OrganisationContext(caller: caller, chain: chain, audit: audit, clock: clock, database: database)
    }

    /// The organisations below this one that the caller may read, each with the codes above it.
    func readableDescendants() async throws -> [(record: OrganisationRecord, above: [String])] {
        try await OrganisationDirectory(database: database).descendants(of: organisation.odsCode).filter { record, above in
            guard let person else { return true }
            return AccessPolicy.allows(person.memberships, .read, on: record.odsCode, ancestors: above + ancestors)
        }
    }

    /// The active people who may own this organisation's records: those with a role here, and
    /// those whose role above reaches down to it.
    func eligibleOwners(on db: (any Database)? = nil) async throws -> Set<String> {
        let sql = try (db ?? database).sqlDatabase
        let reaching = Role.allCases.filter(\.reachesDescendants).map(\.rawValue)
        let rows = try await sql.raw("""
            SELECT DISTINCT u.email, m.role, o.ods_code FROM memberships m JOIN users u ON u.id = m.user_id
            JOIN organisations o ON o.id = m.organisation_id WHERE u.status = 'active' AND o.ods_code IN (\(binds: chain.map(\.odsCode)))
            """).all()
        var emails = Set<String>()
        for row in rows {
            let code = try row.decode(column: "ods_code", as: String.self)
            let role = try row.decode(column: "role", as: String.self)
            if code == organisation.odsCode || reaching.contains(role) { emails.insert(try row.decode(column: "email", as: String.self)) }
        }
        return emails
    }

    /// The page shell for a page of this organisation's, in one section of the navigation.
    func shell(_ title: String, problems: Bool = false, crumbs extra: [PageShell.Breadcrumb] = [], section: PageShell.Section) -> PageShell {
        PageShell(title: problems ? "Error: \(title)" : title,
                  breadcrumbs: [.init(title: "Organisations", url: .organisations), .init(title: organisation.name, url: .organisation(organisation.odsCode))] + extra,
                  organisation: (organisation.odsCode, organisation.name), section: section, ancestors: ancestors)
    }

    /// For a command run on the server: the organisation with this ODS code, acting as the command.
    static func command(_ name: String, organisation code: String, database: any Database, clock: AssureClock) async throws -> OrganisationContext {
        let chain = try await OrganisationDirectory(database: database).ancestry(of: code)
        guard !chain.isEmpty else { throw CommandFailure(message: "\(name): no organisation has the ODS code '\(code.uppercased())'") }
        return OrganisationContext(caller: .commandLine(name), chain: chain, audit: .command(name, clock: clock), clock: clock, database: database)
    }
}

extension Request {
    /// Checks, with the one permission function, that the signed-in caller may do `action` to the
    /// organisation with this ODS code (the one in the address unless given), and builds its
    /// context. An organisation the caller may not read is reported as not found, so codes cannot
    /// be probed; one they may read but not change names whom to ask.
    func organisationContext(_ action: Actions, code: String? = nil) async throws -> OrganisationContext {
        let identity = try requireIdentity()
        let code = try code ?? organisationCode
        let chain = try await OrganisationDirectory(database: db).ancestry(of: code)
        guard let organisation = chain.last else { throw AssureError.notFound("No organisation has the ODS code '\(code.uppercased())'") }
        let ancestors = chain.dropLast().map(\.odsCode)
        guard AccessPolicy.allows(identity.memberships, action, on: organisation.odsCode, ancestors: ancestors) else {
            if !AccessPolicy.allows(identity.memberships, .read, on: organisation.odsCode, ancestors: ancestors) {
                throw AssureError.notFound("No organisation has the ODS code '\(code.uppercased())'")
            }
            let administrators = try await AccessContacts.administrators(of: chain, on: db)
            throw AssureError(status: .forbidden, title: "Not permitted",
                              detail: "Your roles do not allow you to \(Actions.describe(action)) for \(organisation.name) (\(organisation.odsCode)). "
                                  + AccessContacts.advice(administrators, organisation: organisation.name))
        }
        return OrganisationContext(caller: .person(identity), chain: chain, audit: auditContext, clock: application.clock, database: db)
    }
}
