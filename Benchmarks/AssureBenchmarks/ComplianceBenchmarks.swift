import AssureApp
import AssureCore
import AssureDemo
import Fluent
import Foundation
import SQLKit
import Vapor

/// Compliance figures through the real server: one trust with 6 frameworks assessed over 3
/// periods and 20,000 evidence links, its assessment page (every outcome with result, evidence
/// count and mapped results; target p95 < 50 ms); and an ICB's table of 200 organisations' DSPT
/// and CAF positions (target < 100 ms). Organisations come in through the CLI and assessments
/// through the API; the bulk rows (results, evidence, links) are written with SQLKit.
enum ComplianceBenchmarks {
    static let frameworks = ["ncsc-caf@3.2", "ncsc-caf@4.0", "dspt-caf@2024-25", "cyber-essentials@2025", "dtac@1.0", "dcb0160@2018"]
    static let periods = ["2023-24", "2024-25", "2025-26"]

    struct Started: Decodable { var reference: String }
    struct Framework: Decodable {
        struct Item: Decodable { var id: String; var levels: [String] }
        var items: [Item]
    }

    static func run(binary: String, environment: [String: String], configuration: AssureConfiguration, directory: String, port: Int,
                    links: Int, requests: Int) async throws {
        let assure = BenchmarkServer(binary: binary, environment: environment, port: port)
        try assure.command(["migrate", "--yes"])
        let entries = DemoOrganisations.national(regions: 1, icbsPerRegion: 1, trusts: 100, practices: 99)
        let csv = "ods_code,name,type,parent_ods_code,dspt_category\n" + entries.map { entry in
            [entry.odsCode, entry.name, entry.type.rawValue, entry.parentCode ?? "", entry.dsptCategory.map(String.init) ?? ""].joined(separator: ",")
        }.joined(separator: "\n")
        let file = directory + "/organisations.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        try assure.command(["organisations", "import", file])
        let icb = entries.first { $0.type == .icb }!.odsCode
        let trust = entries.first { $0.type == .trust || $0.type == .foundationTrust }!.odsCode
        let password = "benchmark kettle marmalade"
        try assure.command(["users", "add", "--email", "ig.bench@assure.test", "--name", "IG Benchmark", "--password-stdin"], input: password)
        try assure.command(["users", "grant", "--email", "ig.bench@assure.test", "--role", "system-admin"])
        let token = try assure.command(["tokens", "create", "--email", "ig.bench@assure.test", "--role", "system-admin", "--name", "bench", "--days", "1"])
        try await assure.serving { client in
            let seeded = ContinuousClock.now
            var api: HTTPHeaders = ["Content-Type": "application/json"]
            api.bearerAuthorization = BearerAuthorization(token: token)
            var catalogues: [String: Framework] = [:]
            for key in Set(frameworks + ["dspt-ndg@2023-24"]) {
                let response = try await client.get(URI(string: assure.base + "/api/v1/frameworks/\(key)"), headers: api)
                catalogues[key] = try response.content.decode(Framework.self)
            }
            func start(_ organisation: String, _ key: String, _ period: String) async throws -> (String, String, Framework) {
                let response = try await client.post(URI(string: assure.base + "/api/v1/organisations/\(organisation)/assessments"), headers: api) { request in
                    try request.content.encode(["framework": key, "period": period, "final_due": "2026-06-30"], as: .json)
                }
                guard response.status == .created else { fatalError("starting \(key) for \(organisation): \(response.status)") }
                return (organisation, try response.content.decode(Started.self).reference, catalogues[key]!)
            }
            var trustAssessments: [(String, String, Framework)] = []
            for key in frameworks { for period in periods { trustAssessments.append(try await start(trust, key, period)) } }
            var positions: [(String, String, Framework)] = []
            for entry in entries where entry.odsCode != trust && entry.type != .region {
                for key in entry.type == .gpPractice ? ["dspt-ndg@2023-24"] : ["dspt-caf@2024-25", "ncsc-caf@3.2"] {
                    positions.append(try await start(entry.odsCode, key, "2025-26"))
                }
            }
            try await write(configuration) { sql in
                let ids = try await assessmentIDs(on: sql)
                try await results(for: (trustAssessments + positions).map { (ids["\($0.0) \($0.1)"]!, $0.2) }, on: sql)
                let organisation = try await sql.raw("SELECT id FROM organisations WHERE ods_code = \(bind: trust)").first()!.decode(column: "id", as: UUID.self)
                try await evidence(for: trustAssessments.map { (ids["\($0.0) \($0.1)"]!, $0.2) }, organisation: organisation, links: links, on: sql)
            }
            print("Compliance data: \(frameworks.count) frameworks × \(periods.count) periods for \(trust), \(links) evidence links, \(entries.count - 1) organisations under \(icb) with DSPT and CAF assessments, written in \(BenchmarkServer.ms(ContinuousClock.now - seeded))")
            let cookie = try await assure.signIn(client, email: "ig.bench@assure.test", password: password)
            let pages = trustAssessments.map { "/organisations/\(trust)/assessments/\($0.1)" }
            try await assure.measure(client, "Assessment page (every item with result, evidence count, mapped results), 18 assessments", pages,
                                     headers: cookie, requests: requests, target: "p95 < 50 ms")
            try await assure.measure(client, "ICB positions table, \(entries.count - 1) organisations' DSPT and CAF", ["/organisations/\(icb)/compliance-positions"],
                                     headers: cookie, requests: requests, target: "< 100 ms")
            try await assure.measure(client, "ICB positions through the API", ["/api/v1/organisations/\(icb)/compliance-positions"],
                                     headers: api, requests: requests, target: "< 100 ms")
        }
    }

    /// Bulk rows through a second connection to the same database while the server runs.
    static func write(_ configuration: AssureConfiguration, _ body: (any SQLDatabase) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        do {
            try await configure(app, configuration)
            guard let sql = app.db as? any SQLDatabase else { fatalError("SQL database needed") }
            try await body(sql)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// "T10 A1" → assessment id.
    static func assessmentIDs(on sql: any SQLDatabase) async throws -> [String: UUID] {
        var ids: [String: UUID] = [:]
        for row in try await sql.raw("SELECT a.id, a.number, o.ods_code FROM assessments a JOIN organisations o ON o.id = a.organisation_id").all() {
            ids["\(try row.decode(column: "ods_code", as: String.self)) A\(try row.decode(column: "number", as: Int.self))"] = try row.decode(column: "id", as: UUID.self)
        }
        return ids
    }

    /// A result for every item, levels spread across each item's allowed levels.
    static func results(for assessments: [(UUID, Framework)], on sql: any SQLDatabase) async throws {
        var rows: [[any SQLExpression]] = []
        for (index, (assessment, catalogue)) in assessments.enumerated() {
            for (position, item) in catalogue.items.enumerated() {
                rows.append([SQLBind(UUID()), SQLBind(assessment), SQLBind(item.id), SQLBind(item.levels[(index + position) % item.levels.count]),
                             SQLBind("Benchmark rationale"), SQLBind("in-progress"), SQLBind(Date())])
            }
        }
        for chunk in stride(from: 0, to: rows.count, by: 1000).map({ Array(rows[$0..<min($0 + 1000, rows.count)]) }) {
            try await sql.insert(into: "assessment_results").columns("id", "assessment_id", "item_id", "level", "rationale", "status", "updated_at")
                .rows(chunk).run()
        }
    }

    /// One evidence item per ten links, each link a distinct (evidence, assessment, item).
    static func evidence(for assessments: [(UUID, Framework)], organisation: UUID, links: Int, on sql: any SQLDatabase) async throws {
        let count = max(1, links / 10)
        var evidenceIDs: [UUID] = []
        var rows: [[any SQLExpression]] = []
        for number in 1...count {
            let id = UUID()
            evidenceIDs.append(id)
            rows.append([SQLBind(id), SQLBind(organisation), SQLBind(number), SQLBind("link"), SQLBind("Benchmark evidence \(number)"), SQLBind(""),
                         SQLBind(number % 5 == 0 ? "2020-01-01" : "2030-01-01"), SQLBind("approved"), SQLBind("https://intranet.example.nhs.uk/\(number)"),
                         SQLBind("benchmark"), SQLBind(Date())])
        }
        for chunk in stride(from: 0, to: rows.count, by: 1000).map({ Array(rows[$0..<min($0 + 1000, rows.count)]) }) {
            try await sql.insert(into: "evidence").columns("id", "organisation_id", "number", "kind", "title", "description", "review_by", "approval", "url",
                                                          "created_by", "created_at").rows(chunk).run()
        }
        var seen = Set<String>()
        var linkRows: [[any SQLExpression]] = []
        var k = 0
        while linkRows.count < links {
            let (assessment, catalogue) = assessments[k % assessments.count]
            let item = catalogue.items[(k / assessments.count) % catalogue.items.count].id
            let evidence = evidenceIDs[(k * 7) % evidenceIDs.count]
            k += 1
            let id = assessment
            guard seen.insert("\(evidence)|\(id)|\(item)").inserted else { continue }
            linkRows.append([SQLBind(UUID()), SQLBind(evidence), SQLBind(id), SQLBind(item), SQLBind("benchmark"), SQLBind(Date())])
        }
        for chunk in stride(from: 0, to: linkRows.count, by: 1000).map({ Array(linkRows[$0..<min($0 + 1000, linkRows.count)]) }) {
            try await sql.insert(into: "evidence_attachments").columns("id", "evidence_id", "assessment_id", "item_id", "attached_by", "attached_at")
                .rows(chunk).run()
        }
    }
}

extension SQLInsertBuilder {
    /// Many rows in one statement.
    func rows(_ rows: [[any SQLExpression]]) -> Self {
        for row in rows { values(row) }
        return self
    }
}
