import AssureCore
import AssureDemo
import Fluent
import SQLKit
import Vapor

/// What happens before `assure serve` accepts requests: bring an embedded database up to date
/// (or refuse a PostgreSQL schema that is behind), and seed the demo when asked.
public enum AssureStartup {
    public static func prepareToServe(_ app: Application) async throws {
        let configuration = app.assureConfiguration
        let schema: SchemaStatus
        do {
            schema = try await SchemaStatus.read(from: app.db)
        } catch {
            throw StartupError(message: DatabaseFault.describe(error, configuration: configuration))
        }
        if case .sqliteFile = configuration.database {
            // Write-ahead logging lets pages be read while a change is being written; it stays set in the file.
            try await app.db.sqlDatabase.raw("PRAGMA journal_mode=WAL").run()
        }
        guard schema.unknown.isEmpty else {
            throw StartupError(message: "The database was written by a newer version of Assure (it has migrations this version does not know: \(schema.unknown.joined(separator: ", "))). Upgrade Assure.")
        }
        if !schema.pending.isEmpty {
            guard !configuration.database.isPostgres else {
                throw StartupError(message: "The PostgreSQL schema is behind this version of Assure (\(schema.pending.count) migration(s) pending: \(schema.pending.joined(separator: ", "))). Run `assure migrate` first.")
            }
            try await app.autoMigrate()
        }
        for module in AssureModules.all { try await module.startUp?(app) }
        if configuration.demo {
            try await DemoSeeder.requireDemoOnly(app, host: configuration.host)
            var added: [String] = []
            for module in AssureModules.all {
                if let phrase = try await module.demoRegion?(app) { added.append(phrase) }
            }
            app.logger.notice("Demo data ready: \(added.isEmpty ? "nothing new" : added.joined(separator: ", ")) added")
        }
        for module in AssureModules.all { try await module.serving?(app) }
    }

    /// Printed when the server is about to listen.
    public static func banner(_ app: Application) -> String {
        let configuration = app.assureConfiguration
        var lines = ["Assure \(AssureRelease.version) is starting at http://\(configuration.host):\(configuration.port)"]
        switch configuration.database {
        case .sqliteFile(let path): lines.append("Database: SQLite at \(path)")
        case .sqliteInMemory: lines.append("Database: SQLite in memory")
        case .postgres: lines.append("Database: PostgreSQL (DATABASE_URL)")
        }
        if configuration.demo {
            lines.append("Demo data: the fictional Avalon region — open http://\(configuration.host):\(configuration.port)/organisations/Y99")
            lines.append("Sign in at http://\(configuration.host):\(configuration.port)/sign-in with the password '\(DemoPeople.password)' as")
            lines += DemoPeople.all.map { "  \($0.email) — \($0.role.displayName) \($0.organisation.map { "in \($0)" } ?? "across Assure")" }
        }
        return lines.joined(separator: "\n")
    }
}

public struct StartupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Says why the database could not be reached, naming the setting and never the password.
enum DatabaseFault {
    static func describe(_ error: any Error, configuration: AssureConfiguration) -> String {
        switch configuration.database {
        case .postgres(let url):
            let target = URLComponents(string: url).map { "\($0.host ?? "?"):\($0.port ?? 5432)\($0.path)" } ?? "the configured server"
            return "Cannot use the PostgreSQL database in DATABASE_URL (\(target)): \(reason(error)). Check the server is running and the URL, user and password are right."
        case .sqliteFile(let path):
            return "Cannot open the SQLite database at \(path): \(reason(error)). Check ASSURE_DATA_DIR."
        case .sqliteInMemory:
            return "Cannot open the in-memory database: \(reason(error))"
        }
    }

    /// A plain reason from the driver's detailed description (`String(reflecting:)`), which is
    /// matched but never printed: it can hold connection details.
    private static func reason(_ error: any Error) -> String {
        let detail = String(reflecting: error)
        if detail.contains("Connection refused") || detail.contains("connection refused") { return "the server refused the connection" }
        if detail.contains("connectTimeout") || detail.contains("timed out") { return "the server did not answer in time" }
        if detail.contains("28P01") || detail.contains("28000") { return "the user name or password was refused" }
        if detail.contains("3D000") { return "the database does not exist" }
        if detail.contains("NIOConnectionError") || detail.contains("nodename nor servname") || detail.contains("Name or service not known") {
            return "the host could not be found or reached"
        }
        if detail.contains("SSL") || detail.contains("TLS") { return "the TLS handshake failed" }
        return "the database could not be opened (\(type(of: error)))"
    }
}

/// Seeds the fictional demo organisations through the same import path a user's file takes.
enum DemoSeeder {
    /// Refuses (with the reason) to add demo data beside real data or to serve it beyond this machine.
    static func requireDemoOnly(_ app: Application, host: String?) async throws {
        let sql = try app.db.sqlDatabase
        let codes = try await sql.raw("SELECT ods_code FROM organisations").all().map { try $0.decode(column: "ods_code", as: String.self) }
        let emails = try await sql.raw("SELECT email FROM users").all().map { try $0.decode(column: "email", as: String.self) }
        if let refusal = DemoSafety.refusal(host: host, organisationCodes: codes, accountEmails: emails) { throw StartupError(message: refusal) }
    }

    static func seedRegion(on app: Application) async throws -> OrganisationChanges.ImportSummary {
        try await seed(DemoOrganisations.region, on: app)
    }

    /// One account for every role, added once; later starts find them and skip the bcrypt work.
    static func seedPeople(on app: Application) async throws -> Int {
        let accounts = UserAccounts(database: app.db, audit: .command("demo", clock: app.clock), threadPool: app.threadPool, clock: app.clock)
        let existing = Set(try await User.query(on: app.db).all().map(\.email))
        let missing = DemoPeople.all.filter { !existing.contains($0.email) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for person in missing {
                group.addTask { _ = try await accounts.create(email: person.email, displayName: person.name, password: DemoPeople.password) }
            }
            try await group.waitForAll()
        }
        for person in DemoPeople.all {
            try await accounts.grant(email: person.email, role: person.role.rawValue, organisation: person.organisation)
        }
        return missing.count
    }

    /// The demo trust's risks, with their controls, actions and reviews, once: through the register,
    /// so the demo is audited and scored like real data.
    static func seedRisks(on database: any Database, clock: AssureClock) async throws -> Int {
        let context = try await OrganisationContext.command("demo", organisation: DemoRisks.organisation, database: database, clock: clock)
        let organisation = context.organisation
        guard try await Risk.query(on: database).filter(\.$organisation.$id == organisation.id).count() == 0 else { return 0 }
        let register = RiskRegister(context)
        for entry in DemoRisks.all {
            var input = RiskDraft.Input()
            for (field, value) in entry.fields { input[field] = value }
            var risk = try await register.create(input)
            for (likelihood, consequence, finding) in entry.reviews {
                risk = try await register.review(risk, likelihood: String(likelihood), consequence: String(consequence), rationale: finding)
            }
            for (control, effectiveness) in entry.controls {
                try await register.addControl(to: risk, description: control, effectiveness: effectiveness.rawValue)
            }
            for action in entry.actions {
                try await register.addAction(to: risk, description: action.description, owner: action.owner, due: action.due)
                if action.status != .notStarted, let added = try await RiskAction.query(on: database).filter(\.$risk.$id == risk.requireID())
                    .filter(\.$description == action.description).first() {
                    try await register.setActionStatus(added, of: risk, to: action.status.rawValue)
                }
            }
            if !entry.gapsInControl.isEmpty || !entry.gapsInAssurance.isEmpty {
                risk = try await register.update(risk, risk.draftInput, rationale: "", gapsInControl: entry.gapsInControl,
                                                 gapsInAssurance: entry.gapsInAssurance)
            }
        }
        let baf = BoardAssuranceChanges(register: register)
        let risks = try await Risk.query(on: database).filter(\.$organisation.$id == organisation.id).all()
        for demo in DemoRisks.objectives {
            var input = BoardAssuranceChanges.ObjectiveInput()
            input.title = demo.title; input.lead = demo.lead; input.committee = demo.committee
            let objective = try await baf.createObjective(input)
            for risk in risks where risk.objective == demo.title { try await baf.link(risk, to: objective) }
            for source in demo.sources {
                try await baf.addSource(to: objective, line: String(source.line.rawValue), description: source.source, outcome: source.outcome.rawValue,
                                        reported: source.reported)
            }
            try await baf.rate(objective, level: demo.assurance.rawValue, rationale: demo.rationale)
        }
        return DemoRisks.all.count
    }

    /// Demo assessments part-way through, once; approvals are recorded as the demo's system administrator.
    static func seedAssessments(on app: Application) async throws -> Int {
        let context = try await OrganisationContext.command("demo", organisation: DemoRisks.organisation, database: app.db, clock: app.clock)
        guard try await Assessment.query(on: app.db).filter(\.$organisation.$id == context.organisation.id).count() == 0 else { return 0 }
        for entry in DemoAssessments.all { try await seedAssessment(entry, context) }
        for (code, entry) in DemoAssessments.others {
            try await seedAssessment(entry, try await OrganisationContext.command("demo", organisation: code, database: app.db, clock: app.clock))
        }
        return DemoAssessments.all.count + DemoAssessments.others.count
    }

    /// Whom the demo records as approving: its system administrator. Submissions are recorded as
    /// their owners, so the four-eyes rule sees two people, as in life.
    static var demoApprover: String { DemoPeople.all.first { $0.role == .systemAdmin }?.email ?? "admin@avalon.example" }

    static func seedAssessment(_ entry: DemoAssessments.Entry, _ context: OrganisationContext) async throws {
        let assessments = Assessments(context: context, frameworks: .shipped)
        let assessment = try await assessments.start(.init(framework: entry.framework, period: entry.period, interim_due: entry.interim,
                                                           final_due: entry.final, profile: entry.profile))
        for result in entry.results {
            // Four eyes, as in life: the owner submits the result, the system administrator approves it.
            let approved = result.status == .approved
            try await assessments.record(.init(level: result.level, rationale: result.rationale, owner: result.owner,
                                               status: approved ? AssessmentItemStatus.readyForReview.rawValue : result.status.rawValue),
                                         item: result.item, in: assessment, by: result.owner, mayApprove: false)
            if approved {
                try await assessments.record(.init(status: AssessmentItemStatus.approved.rawValue), item: result.item, in: assessment, by: demoApprover, mayApprove: true)
            }
        }
    }

    /// The demo trust's evidence library, attached where each piece supports an item, and Assure's
    /// own checks run on its DSPT. Needs the data directory for the files.
    static func seedEvidence(on app: Application) async throws -> Int {
        let context = try await OrganisationContext.command("demo", organisation: DemoRisks.organisation, database: app.db, clock: app.clock)
        let organisation = context.organisation
        guard try await Evidence.query(on: app.db).filter(\.$organisation.$id == organisation.id).count() == 0 else { return 0 }
        let library = EvidenceLibrary(context: context, store: EvidenceStore(dataDirectory: app.assureConfiguration.dataDirectory, threadPool: app.threadPool),
                                      maxBytes: app.assureConfiguration.evidenceMaxBytes)
        let owner = DemoPeople.all.first { $0.role == .manager }?.email
        let assessments = Assessments(context: context, frameworks: app.frameworks)
        let all = try await Assessment.query(on: app.db).filter(\.$organisation.$id == organisation.id).all()
        for entry in DemoEvidence.all {
            let input = EvidenceLibrary.Input(title: entry.title, description: entry.description, owner: owner, valid_from: nil,
                                              review_by: context.today.adding(days: entry.reviewInDays).description, url: entry.url)
            let evidence: Evidence
            if let file = entry.file {
                evidence = try await library.addFile(input, upload: .init(name: file.name, data: Data(file.contents.utf8)), by: owner ?? "demo@avalon.example")
            } else {
                evidence = try await library.addLink(input, by: owner ?? "demo@avalon.example")
            }
            if entry.approved { try await library.setApproval(evidence, to: EvidenceApproval.approved.rawValue, by: demoApprover, mayApprove: true) }
            for (key, item) in entry.supports {
                guard let assessment = all.first(where: { "\($0.frameworkID)@\($0.frameworkVersion)" == key }) else { continue }
                try await library.attach(evidence, to: assessment, item: item, catalogue: try app.frameworks.requireCatalogue(of: assessment))
            }
        }
        if let dspt = all.first(where: { $0.frameworkID == "dspt-caf" }) {
            _ = try await AutomatedCheckRunner(assessments: assessments, evidence: library).run(on: dspt)
        }
        return DemoEvidence.all.count
    }

    static func seed(_ entries: [DemoOrganisations.Entry], on app: Application) async throws -> OrganisationChanges.ImportSummary {
        let rows = entries.enumerated().map { OrganisationImport.Row(line: $0.offset + 2, fields: $0.element.fields) }
        return try await OrganisationChanges(database: app.db, audit: .command("demo", clock: app.clock)).importRows(rows)
    }
}

extension AssureStartup {
    /// For commands other than `serve`: the schema must already be current (run `assure migrate`).
    static func requireCurrentSchema(_ app: Application) async throws {
        let status: SchemaStatus
        do {
            status = try await SchemaStatus.read(from: app.db)
        } catch {
            throw CommandFailure(message: DatabaseFault.describe(error, configuration: app.assureConfiguration))
        }
        guard status.isCurrent else {
            throw CommandFailure(message: "The database schema is not current (\(status.pending.count) pending, \(status.unknown.count) unknown). Run `assure migrate` first.")
        }
    }
}
