import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Analyses one organisation's estate against the knowledge base and keeps the result: each
/// device's figures and findings (replaced whole), today's snapshot, and the one estate risk on
/// the register when exposure passes the organisation's thresholds.
struct EstateAnalysisRunner {
    let context: OrganisationContext
    let knowledge: KnowledgeBase

    init(_ context: OrganisationContext, knowledge: KnowledgeBase) {
        self.context = context
        self.knowledge = knowledge
    }

    var database: any Database { context.database }
    var organisation: OrganisationRecord { context.organisation }
    var audit: AuditContext { context.audit }
    var today: CalendarDay { context.today }

    struct Outcome: Content {
        var organisation: String
        var day: String
        var devices: Int
        var components: Int
        var unmapped_titles: Int
        var roll_up: EstateRollUp
        var risk: String?
    }

    static func titleMapping(_ sql: any SQLDatabase) async throws -> TitleMapping {
        let rows = try await sql.raw("SELECT name_pattern, vendor_pattern, part, cpe_vendor, cpe_product FROM estate_title_rules").all()
        return TitleMapping(try rows.map { row in
            var rule = TitleRule(name: "", cpeVendor: try row.decode(column: "cpe_vendor", as: String.self), cpeProduct: try row.decode(column: "cpe_product", as: String.self))
            rule.namePattern = try row.decode(column: "name_pattern", as: String.self)
            rule.vendorPattern = try row.decode(column: "vendor_pattern", as: String.self)
            rule.part = try row.decode(column: "part", as: String.self)
            return rule
        })
    }

    /// An installed title as the inventory names it; findings are kept per title, so devices
    /// sharing one (thousands on the same Chrome build) share its rows.
    struct Title: Hashable {
        var source: String
        var name: String
        var vendor: String
        var version: String
        var cpe: String
    }

    func run() async throws -> Outcome {
        let sql = try database.sqlDatabase
        let mapping = try await Self.titleMapping(sql)
        // Read the estate: devices with their OS, then software, as distinct components.
        var componentIndex: [EstateComponent: Int32] = [:]
        var components: [EstateComponent] = []
        func intern(_ component: EstateComponent) -> Int32 {
            if let known = componentIndex[component] { return known }
            let index = Int32(components.count)
            components.append(component)
            componentIndex[component] = index
            return index
        }
        // Each title mapped once (nil: no rule maps it), however many devices have it.
        var titles: [Title: Int32?] = [:]
        func component(of title: Title, _ map: () -> Int32?) -> Int32? {
            if let known = titles[title] { return known }
            let mapped = map()
            titles[title] = .some(mapped)
            return mapped
        }
        var deviceIDs: [UUID] = []
        // Devices by the software set they point to: a set no device points to is not read.
        var position: [UUID: Int] = [:]
        var installed: [[Int32]] = []
        for row in try await sql.raw("SELECT id, software_set, os_name, os_build FROM estate_devices WHERE organisation_id = \(bind: organisation.id) ORDER BY id").all() {
            let id = try row.decode(column: "id", as: UUID.self)
            if let set = try row.decode(column: "software_set", as: UUID?.self) { position[set] = deviceIDs.count }
            deviceIDs.append(id)
            let title = Title(source: "os", name: try row.decode(column: "os_name", as: String.self), vendor: "", version: try row.decode(column: "os_build", as: String.self), cpe: "")
            let os = component(of: title) { WindowsRelease(name: title.name, build: title.version).map { intern(EstateComponent(cpe: $0.cpe, windows: $0)) } }
            installed.append(os.map { [$0] } ?? [])
        }
        var unmapped = Set<String>()
        for row in try await sql.raw("SELECT software_set, name, vendor, version, cpe FROM estate_software WHERE organisation_id = \(bind: organisation.id)").all() {
            guard let at = position[try row.decode(column: "software_set", as: UUID.self)] else { continue }
            let title = Title(source: "software", name: try row.decode(column: "name", as: String.self), vendor: try row.decode(column: "vendor", as: String.self),
                              version: try row.decode(column: "version", as: String.self), cpe: try row.decode(column: "cpe", as: String?.self) ?? "")
            let mapped = component(of: title) {
                mapping.cpe(name: title.name, vendor: title.vendor, version: title.version, given: title.cpe.nonEmpty).map { intern(EstateComponent(cpe: $0)) }
            }
            guard let mapped else {
                unmapped.insert("\(title.vendor)|\(title.name)")
                continue
            }
            installed[at].append(mapped)
        }
        let analyser = EstateAnalyser(index: knowledge.index, facts: knowledge.facts, endOfLife: knowledge.endOfLife, today: today)
        let findings = analyser.findings(for: components)
        let exposures = analyser.exposures(of: installed, findings: findings)
        var rollUp = EstateRollUp()
        for exposure in exposures { rollUp.add(exposure) }

        let outcome = try await save(deviceIDs: deviceIDs, exposures: exposures, titles: titles.compactMapValues { $0 }, components: components, findings: findings,
                                     rollUp: rollUp)
        let risk = try await EstateRisk(context: context).raiseOrUpdate(rollUp)
        return Outcome(organisation: organisation.odsCode, day: today.description, devices: deviceIDs.count, components: components.count,
                       unmapped_titles: unmapped.count, roll_up: outcome, risk: risk)
    }

    /// Writes the analysis's findings where nothing reads them yet, then publishes it with the
    /// devices' figures and the day's snapshot in one short transaction (`AnalysisPublication`).
    private func save(deviceIDs: [UUID], exposures: [DeviceExposure], titles: [Title: Int32], components: [EstateComponent],
                      findings: [EstateAnalyser.ComponentFindings], rollUp: EstateRollUp) async throws -> EstateRollUp {
        let organisation = self.organisation, today = self.today, audit = self.audit
        let details = try Self.details(exposures: exposures, components: components, findings: findings, knowledge: knowledge)
        let analysis = UUID()
        try await AnalysisPublication.begin(analysis, organisation: organisation.id, at: context.clock.now(), on: database)
        do {
            try await writeFindings(analysis, deviceIDs: deviceIDs, exposures: exposures, titles: titles, components: components, findings: findings)
            let published = try await database.writeTransaction { db in
                let sql = try db.sqlDatabase
                try await Self.replaceResults(deviceIDs: deviceIDs, exposures: exposures, organisation: organisation.id, today: today, on: sql)
                try await AnalysisPublication.publish(analysis, organisation: organisation.id, on: sql)
                try await sql.raw("DELETE FROM estate_snapshots WHERE organisation_id = \(bind: organisation.id) AND day = \(bind: today.description)").run()
                try await sql.insert(into: "estate_snapshots").columns("organisation_id", "day", "devices", "unsupported_os", "unsupported_software", "known_exploited",
                                                                       "ransomware", "vulnerable", "critical_or_high", "patch_compliant", "details")
                    .values(SQLBind(organisation.id), SQLBind(today.description), SQLBind(rollUp.devices), SQLBind(rollUp.unsupportedOS), SQLBind(rollUp.unsupportedSoftware),
                            SQLBind(rollUp.knownExploited), SQLBind(rollUp.ransomware), SQLBind(rollUp.vulnerable), SQLBind(rollUp.criticalOrHigh), SQLBind(rollUp.patchCompliant),
                            SQLBind(details))
                    .run()
                try await AuditTrail.append([audit.event("analyse", "estate", today.description, organisation: organisation.odsCode, changes: [
                                                            "devices": .init(before: nil, after: String(rollUp.devices)),
                                                            "patch compliance": .init(before: nil, after: "\(rollUp.patchCompliancePercent)%"),
                                                            "known exploited": .init(before: nil, after: String(rollUp.knownExploited)),
                                                            "unsupported OS": .init(before: nil, after: String(rollUp.unsupportedOS)),
                                                        ])], on: db)
                return rollUp
            }
            try await AnalysisPublication.finish(analysis, organisation: organisation.id, on: database)
            return published
        } catch {
            try? await AnalysisPublication.finish(analysis, organisation: organisation.id, on: database)
            throw error
        }
    }

    /// Each device's figures, replaced whole (one row a device).
    private static func replaceResults(deviceIDs: [UUID], exposures: [DeviceExposure], organisation: UUID, today: CalendarDay, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM estate_device_results WHERE organisation_id = \(bind: organisation)").run()
        for start in stride(from: 0, to: deviceIDs.count, by: 500) {
            let insert = sql.insert(into: "estate_device_results").columns("device_id", "organisation_id", "cve_count", "kev_count", "ransomware", "highest_score",
                                                                          "severity", "unsupported_count", "unsupported_os", "patch_compliant", "analysed_on")
            for i in start..<min(start + 500, deviceIDs.count) {
                let e = exposures[i]
                insert.values(SQLBind(deviceIDs[i]), SQLBind(organisation), SQLBind(e.cves.count), SQLBind(e.knownExploited), SQLBind(e.ransomware),
                              SQLBind(e.highestScore), SQLBind(e.severity.rawValue), SQLBind(e.unsupported.count), SQLBind(e.unsupportedOS),
                              SQLBind(e.patchCompliant), SQLBind(today.description))
            }
            try await insert.run()
        }
    }

    /// The analysis's findings, a thousand rows a transaction: each title's own CVEs and end of
    /// life (once however many devices have it), then what only a device's combination has.
    private func writeFindings(_ analysis: UUID, deviceIDs: [UUID], exposures: [DeviceExposure], titles: [Title: Int32], components: [EstateComponent],
                               findings: [EstateAnalyser.ComponentFindings]) async throws {
        let organisation = self.organisation.id, records = knowledge.index.records, database = self.database
        var pending: [[any SQLExpression]] = []
        func flush(_ table: String, _ columns: [String]) async throws {
            guard !pending.isEmpty else { return }
            let values = pending
            pending.removeAll(keepingCapacity: true)
            try await database.writeTransaction { db in
                let insert = try db.sqlDatabase.insert(into: table).columns(columns)
                for row in values { insert.values(row) }
                try await insert.run()
            }
        }
        let titleColumns = ["analysis_id", "organisation_id", "source", "name", "vendor", "version", "cpe", "kind", "reference", "component"]
        for (title, component) in titles {
            let found = findings[Int(component)]
            let key: [any SQLExpression] = [SQLBind(analysis), SQLBind(organisation), SQLBind(title.source), SQLBind(title.name), SQLBind(title.vendor),
                                            SQLBind(title.version), SQLBind(title.cpe)]
            for record in found.plain {
                pending.append(key + [SQLBind("cve"), SQLBind(records[Int(record)].id), SQLBind("")])
                if pending.count >= 1000 { try await flush("estate_title_findings", titleColumns) }
            }
            if let ended = found.endOfLife {
                let cpe = components[Int(component)].cpe
                pending.append(key + [SQLBind("eol"), SQLBind(found.cycleLabel ?? cpe.key), SQLBind("\(cpe.key)\(["-", "*", ""].contains(cpe.version) ? "" : " " + cpe.version)|\(ended.description)")])
                if pending.count >= 1000 { try await flush("estate_title_findings", titleColumns) }
            }
        }
        try await flush("estate_title_findings", titleColumns)
        let deviceColumns = ["analysis_id", "device_id", "organisation_id", "kind", "reference", "component"]
        for (i, exposure) in exposures.enumerated() {
            for record in exposure.combined {
                pending.append([SQLBind(analysis), SQLBind(deviceIDs[i]), SQLBind(organisation), SQLBind("cve"), SQLBind(records[Int(record)].id), SQLBind("")])
                if pending.count >= 1000 { try await flush("estate_findings", deviceColumns) }
            }
        }
        try await flush("estate_findings", deviceColumns)
    }
}

extension EstateAnalysisRunner {
    /// What the overview lists, worked out from the analysis in memory and kept with the day's
    /// snapshot, so the page reads one row instead of grouping millions of findings.
    struct Details: Codable {
        var top: [EstateQueries.TopVulnerability]
        var cycles: [EstateQueries.UnsupportedCycle]
    }

    static func details(exposures: [DeviceExposure], components: [EstateComponent], findings: [EstateAnalyser.ComponentFindings],
                        knowledge: KnowledgeBase) throws -> String {
        var perRecord: [Int32: Int] = [:], perCycle: [String: (String, Int)] = [:]
        for exposure in exposures {
            for record in exposure.cves { perRecord[record, default: 0] += 1 }
            var seen = Set<String>()
            for component in exposure.unsupported {
                let found = findings[Int(component)]
                let label = found.cycleLabel ?? components[Int(component)].cpe.key
                if seen.insert(label).inserted { perCycle[label, default: (found.endOfLife?.description ?? "", 0)].1 += 1 }
            }
        }
        let top = perRecord.map { record, devices -> EstateQueries.TopVulnerability in
            let fact = knowledge.facts[Int(record)]
            return .init(cve: knowledge.index.records[Int(record)].id, devices: devices, score: fact.score, severity: fact.severity.name,
                         known_exploited: fact.knownExploited, ransomware: fact.ransomware)
        }.sorted { ($0.known_exploited ? 1 : 0, $0.devices, $0.score ?? 0, $1.cve) > ($1.known_exploited ? 1 : 0, $1.devices, $1.score ?? 0, $0.cve) }
        let cycles = perCycle.map { EstateQueries.UnsupportedCycle(lifecycle: $0.key, end_of_life: $0.value.0, devices: $0.value.1) }
            .sorted { ($0.devices, $1.lifecycle) > ($1.devices, $0.lifecycle) }
        return String(decoding: try JSONEncoder().encode(Details(top: Array(top.prefix(10)), cycles: Array(cycles.prefix(20)))), as: UTF8.self)
    }
}

/// The latest snapshot of one organisation, or of everything below it added up.
enum EstateSnapshots {
    struct Point: Content { var day: String; var roll_up: EstateRollUp }

    /// Each organisation's latest snapshot, read in one grouped query per thousand organisations.
    static func latest(of organisations: [UUID], on sql: any SQLDatabase) async throws -> [UUID: EstateRollUp] {
        var found: [UUID: EstateRollUp] = [:]
        for chunk in organisations.chunks(of: 1000) {
            let rows = try await sql.raw("""
                SELECT s.* FROM estate_snapshots s JOIN (SELECT organisation_id, MAX(day) AS day FROM estate_snapshots
                  WHERE organisation_id IN (\(binds: chunk)) GROUP BY organisation_id) latest
                ON latest.organisation_id = s.organisation_id AND latest.day = s.day
                """).all()
            for row in rows { found[try row.decode(column: "organisation_id", as: UUID.self)] = try figures(row) }
        }
        return found
    }

    /// The latest snapshots of these organisations added up.
    static func rollUp(of organisations: [UUID], on sql: any SQLDatabase) async throws -> EstateRollUp {
        try await latest(of: organisations, on: sql).values.reduce(into: EstateRollUp()) { $0.add($1) }
    }

    static func trend(of organisation: UUID, days: Int = 90, on sql: any SQLDatabase) async throws -> [Point] {
        try await sql.raw("SELECT * FROM estate_snapshots WHERE organisation_id = \(bind: organisation) ORDER BY day DESC LIMIT \(unsafeRaw: String(days))").all()
            .map { Point(day: try $0.decode(column: "day", as: String.self), roll_up: try figures($0)) }.reversed()
    }

    /// The latest snapshot's lists for the overview.
    static func details(of organisation: UUID, on sql: any SQLDatabase) async throws -> EstateAnalysisRunner.Details {
        guard let row = try await sql.raw("SELECT details FROM estate_snapshots WHERE organisation_id = \(bind: organisation) ORDER BY day DESC LIMIT 1").first(),
              let details = try? JSONDecoder().decode(EstateAnalysisRunner.Details.self, from: Data(try row.decode(column: "details", as: String.self).utf8)) else {
            return .init(top: [], cycles: [])
        }
        return details
    }

    static func figures(_ row: any SQLRow) throws -> EstateRollUp {
        var figures = EstateRollUp()
        figures.devices = try row.decode(column: "devices", as: Int.self)
        figures.unsupportedOS = try row.decode(column: "unsupported_os", as: Int.self)
        figures.unsupportedSoftware = try row.decode(column: "unsupported_software", as: Int.self)
        figures.knownExploited = try row.decode(column: "known_exploited", as: Int.self)
        figures.ransomware = try row.decode(column: "ransomware", as: Int.self)
        figures.vulnerable = try row.decode(column: "vulnerable", as: Int.self)
        figures.criticalOrHigh = try row.decode(column: "critical_or_high", as: Int.self)
        figures.patchCompliant = try row.decode(column: "patch_compliant", as: Int.self)
        return figures
    }
}
