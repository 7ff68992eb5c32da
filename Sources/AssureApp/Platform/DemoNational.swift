import AssureCore
import AssureDemo
import Fluent
import Foundation
import SQLKit
import Vapor

/// `assure demo national`: the synthetic national tree with a governance record in every
/// organisation, the same every time: risks with actions, a DSPT assessment (and a CAF one for
/// trusts) part-way through, evidence, a fictional high severity alert with responses, and
/// estates for the trusts. Written through the same register, assessment and estate code as real
/// records, in batches of organisations per transaction. Organisations are spread from strong to
/// weak, so oversight pages have a spread, quartiles and outliers to show.
enum DemoNational {
    static let period = "2025-26"
    static let batch = 250

    struct Summary { var organisations = 0, risks = 0, assessments = 0, evidence = 0, devices = 0 }

    static func seed(on app: Application, estateDevices: Int, progress: (any JobProgress)? = nil) async throws -> Summary {
        var summary = Summary()
        let tree = DemoOrganisations.national()
        summary.organisations = try await DemoSeeder.seed(tree, on: app).inserted
        let sql = try app.db.sqlDatabase
        let records = try await sql.raw("SELECT \(unsafeRaw: OrganisationRecord.columns) FROM \(unsafeRaw: OrganisationRecord.from) WHERE o.ods_code IN (\(binds: tree.map(\.odsCode))) ORDER BY o.ods_code")
            .all().map(OrganisationRecord.init(row:))
        let alreadySeeded = Set(try await sql.raw("SELECT DISTINCT organisation_id FROM risks").all().map { try $0.decode(column: "organisation_id", as: UUID.self) })
        let pending = records.filter { !alreadySeeded.contains($0.id) }
        let byCode = Dictionary(records.map { ($0.odsCode, $0) }, uniquingKeysWith: { first, _ in first })
        // Each organisation's chain from the records already read, so seeding reads no ancestry.
        @Sendable func context(_ organisation: OrganisationRecord, on db: any Database) -> OrganisationContext {
            var chain = [organisation]
            while let parent = chain[0].parentCode.flatMap({ byCode[$0] }), chain.count < 32 { chain.insert(parent, at: 0) }
            return OrganisationContext(caller: .commandLine("demo national"), chain: chain, audit: .command("demo national", clock: app.clock), clock: app.clock, database: db)
        }
        progress?.begin("Risks and assessments", total: pending.count)
        for start in stride(from: 0, to: pending.count, by: batch) {
            progress?.update(start)
            let chunk = Array(pending[start..<min(start + batch, pending.count)])
            let counts = try await app.db.writeTransaction { db in
                var counts = Summary()
                for organisation in chunk {
                    var generator = SeededGenerator(seed: seed(of: organisation.odsCode))
                    let strength = Double(generator.next() % 1000) / 1000
                    let register = RiskRegister(context(organisation, on: db))
                    counts.risks += try await risks(register, strength: strength, generator: &generator, on: db)
                    counts.assessments += try await assessments(register, frameworks: app.frameworks, strength: strength, generator: &generator, on: db)
                }
                return counts
            }
            summary.risks += counts.risks
            summary.assessments += counts.assessments
        }
        progress?.update(pending.count)
        progress?.begin("Evidence, alert responses and estates", total: nil)
        summary.evidence = try await evidence(for: pending.filter { $0.type != .gpPractice && $0.type != .region }.map { context($0, on: app.db) }, on: app)
        try await alertResponses(for: pending, now: app.clock.now(), on: sql)
        let trusts = records.filter { $0.type == .trust || $0.type == .foundationTrust }.count
        if estateDevices > 0, try await sql.raw("SELECT COUNT(*) AS n FROM estate_devices").first()?.decode(column: "n", as: Int.self) == 0 {
            _ = try await DemoEstate.seed(on: app, devices: estateDevices, organisations: trusts, seed: 7)
            summary.devices = estateDevices
        }
        return summary
    }

    static func seed(of code: String) -> UInt64 { code.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 } }

    /// A few risks from the demo trust's register, re-scored to the organisation's strength, each
    /// with an action due some days either side of today.
    static func risks(_ register: RiskRegister, strength: Double, generator: inout SeededGenerator, on db: any Database) async throws -> Int {
        let count: Int = switch register.organisation.type {
        case .trust, .foundationTrust: 10
        case .icb: 6
        case .region: 3
        default: 3
        }
        let (_, matrix) = try await register.configuration(on: db)
        let owner = "risk.lead@\(register.organisation.odsCode.lowercased()).example"
        var drafts: [RiskDraft] = []
        for index in 0..<count {
            var fields = DemoRisks.all[(index + Int(generator.next() % 3)) % DemoRisks.all.count].fields
            fields["owner"] = owner
            fields["source_reference"] = ""
            // Reviews fall due from the day a risk was opened: weaker organisations let more lapse.
            fields["opened"] = register.today.adding(days: -Int(5 + generator.next() % (strength < 0.3 ? 240 : 60))).description
            fields["status"] = "open"
            let worse = strength < 0.15 ? 2 : strength < 0.5 ? 1 : 0
            let likelihood = min(5, 1 + Int(generator.next() % 3) + worse), consequence = min(5, 2 + Int(generator.next() % 3))
            fields["initial_likelihood"] = String(min(5, likelihood + 1)); fields["initial_consequence"] = String(consequence)
            fields["current_likelihood"] = String(likelihood); fields["current_consequence"] = String(consequence)
            fields["target_likelihood"] = "1"; fields["target_consequence"] = String(consequence)
            var input = RiskDraft.Input()
            for (field, value) in fields { input[field] = value }
            switch RiskDraft.parse(input, matrix: matrix, today: register.today) {
            case .success(let draft): drafts.append(draft)
            case .failure(let problems): throw CommandFailure(message: "demo national: a generated risk is invalid: \(problems.problems.map(\.message).joined(separator: "; "))")
            }
        }
        let risks = try await register.insert(drafts, matrix: matrix, on: db)
        let sql = try db.sqlDatabase
        let insert = sql.insert(into: RiskAction.schema).columns("id", "risk_id", "description", "owner_email", "due", "status", "created_at")
        for risk in risks {
            let due = register.today.adding(days: Int(generator.next() % 120) - (strength < 0.3 ? 90 : 20))
            insert.values(SQLBind(UUID()), SQLBind(risk.id!), SQLBind("Reduce: \(risk.title)"), SQLBind(owner), SQLBind(due.description),
                          SQLBind(generator.next() % 4 == 0 ? "done" : "in-progress"), SQLBind(register.context.clock.now()))
        }
        try await insert.run()
        try await AuditTrail.append(risks.map { register.event("import", "risk", $0.reference, RiskRegister.fields(of: $0)) }, on: db)
        return risks.count
    }

    /// The DSPT (on the NDG standards for practices, CAF-aligned for the rest) and, for trusts,
    /// the NCSC CAF, with a result for most items: more met the stronger the organisation.
    static func assessments(_ register: RiskRegister, frameworks: FrameworkLibrary, strength: Double, generator: inout SeededGenerator,
                            on db: any Database) async throws -> Int {
        let type = register.organisation.type
        guard type != .region else { return 0 }
        let keys = type == .gpPractice ? ["dspt-ndg@2023-24"] : type == .icb ? ["dspt-caf@2024-25"] : ["dspt-caf@2024-25", "ncsc-caf@3.2"]
        let assessments = Assessments(context: register.context, frameworks: frameworks)
        let sql = try db.sqlDatabase
        for key in keys {
            let plan = try assessments.plan(.init(framework: key, period: period, interim_due: "2025-12-31", final_due: "2026-06-30", profile: nil))
            let assessment = try await assessments.insert(plan, on: db)
            let insert = sql.insert(into: "assessment_results").columns("id", "assessment_id", "item_id", "level", "rationale", "status", "updated_at")
            let id = try assessment.requireID()
            var any = false
            for item in plan.catalogue.items where generator.next() % 10 < 9 {
                let roll = Double(generator.next() % 1000) / 1000
                // Strong organisations reach the top level on most items; weak ones on few.
                let level = roll < 0.35 + 0.6 * strength ? item.levels[item.levels.count - 1] : item.levels[Int(generator.next() % UInt64(max(1, item.levels.count - 1)))]
                insert.values(SQLBind(UUID()), SQLBind(id), SQLBind(item.id), SQLBind(level), SQLBind("Synthetic demonstration result"),
                              SQLBind("in-progress"), SQLBind(register.context.clock.now()))
                any = true
            }
            if any { try await insert.run() }
        }
        return keys.count
    }

    /// Three pieces of evidence per trust and ICB, one of them often past its review date.
    static func evidence(for organisations: [OrganisationContext], on app: Application) async throws -> Int {
        var added = 0
        for context in organisations {
            let organisation = context.organisation, today = context.today
            var generator = SeededGenerator(seed: seed(of: organisation.odsCode) &+ 17)
            let library = EvidenceLibrary(context: context, store: EvidenceStore(dataDirectory: app.assureConfiguration.dataDirectory, threadPool: app.threadPool),
                                          maxBytes: app.assureConfiguration.evidenceMaxBytes)
            for (index, title) in ["Information governance policy", "Penetration test report", "Business continuity exercise report"].enumerated() {
                let review = today.adding(days: Int(generator.next() % 400) - 60)
                _ = try await library.addLink(.init(title: title, description: "Synthetic demonstration evidence", owner: nil, valid_from: nil,
                                                    review_by: review.description, url: "https://\(organisation.odsCode.lowercased()).example/evidence/\(index + 1)"),
                                              by: DemoSeeder.demoApprover)
                added += 1
            }
        }
        return added
    }

    /// A fictional high severity alert issued ten days ago; four in five organisations have
    /// acknowledged it, and most of those have updated it since.
    static func alertResponses(for organisations: [OrganisationRecord], now: Date, on sql: any SQLDatabase) async throws {
        let reference = "CC-DEMO-NATIONAL"
        let issued = now.addingTimeInterval(-10 * 86_400)
        if try await sql.raw("SELECT COUNT(*) AS n FROM cyber_alerts WHERE reference = \(bind: reference)").first()?.decode(column: "n", as: Int.self) == 0 {
            try await sql.insert(into: "cyber_alerts").columns("id", "reference", "title", "issued_at", "cves", "required_action", "created_by")
                .values(SQLBind(UUID()), SQLBind(reference), SQLBind("Fictional demo alert: actively exploited VPN appliance vulnerability"),
                        SQLBind(issued), SQLBind("CVE-2023-4966"), SQLBind("Patch or isolate affected appliances and confirm to NHS England."), SQLBind("command:demo")).run()
        }
        guard let alert = try await sql.raw("SELECT id FROM cyber_alerts WHERE reference = \(bind: reference)").first()?.decode(column: "id", as: UUID.self) else { return }
        let rows: [[any SQLExpression]] = organisations.compactMap { organisation in
            var generator = SeededGenerator(seed: seed(of: organisation.odsCode) &+ 29)
            let roll = generator.next() % 10
            guard roll < 8 else { return nil }
            let acknowledged = issued.addingTimeInterval(Double(6 + generator.next() % 30) * 3600)
            let updated = roll < 6 ? now.addingTimeInterval(-Double(generator.next() % 48) * 3600) : acknowledged
            return [SQLBind(UUID()), SQLBind(alert), SQLBind(organisation.id), SQLBind(roll < 3 ? CyberAlertStatus.patched.rawValue : CyberAlertStatus.inProgress.rawValue), SQLBind(acknowledged),
                    SQLBind("command:demo"), SQLBind(updated), SQLBind("Synthetic demonstration response")]
        }
        for start in stride(from: 0, to: rows.count, by: 500) {
            let insert = sql.insert(into: "cyber_alert_responses")
                .columns("id", "alert_id", "organisation_id", "status", "acknowledged_at", "acknowledged_by", "updated_at", "note")
            for row in rows[start..<min(start + 500, rows.count)] { insert.values(row) }
            try await insert.run()
        }
    }
}
