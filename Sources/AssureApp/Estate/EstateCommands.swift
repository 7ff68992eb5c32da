import AssureCore
import Foundation
import SQLKit
import Vapor

/// `assure kb import nvd|cve5|kev|eol PATH` and `assure kb status`.
struct KnowledgeBaseCommand: AsyncCommandGroup {
    var help: String { "Import and inspect the vulnerability and end-of-life knowledge base" }
    var commands: [String: any AnyAsyncCommand] { ["import": KnowledgeBaseImportCommand(), "status": KnowledgeBaseStatusCommand()] }
}

struct KnowledgeBaseImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "nvd (NVD CVE API 2.0 JSON), cve5 (CVE JSON 5), kev (CISA KEV catalogue) or eol (endoflife.date product files)")
        var kind: String
        @Argument(name: "path", help: "A file (.json, .jsonl, .gz, .md) or a directory of them")
        var path: String
        @Flag(name: "skip-invalid", help: "Import a feed's valid NVD or CVE 5 records and list the invalid ones, instead of refusing the feed")
        var skipInvalid: Bool
    }

    var help: String { "Imports a knowledge base feed; a re-import of the same file replaces what it brought, and a bad feed changes nothing." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let kind = KnowledgeBaseImport.Kind(rawValue: signature.kind.lowercased()) else {
            throw CommandFailure(message: "kb import: '\(signature.kind)' is not a feed kind; use nvd, cve5, kev or eol")
        }
        try await AssureStartup.requireCurrentSchema(context.application)
        do {
            let summaries = try await KnowledgeBaseImport(database: context.application.db, actor: "command:kb import", skipInvalid: signature.skipInvalid)
                .run(kind, path: signature.path)
            for summary in summaries { context.console.print(summary.description) }
        } catch let failure as KnowledgeBaseImport.Failure {
            throw CommandFailure(message: "kb import: \(failure.description)")
        }
    }
}

struct KnowledgeBaseStatusCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Lists what the knowledge base holds and when each feed was imported" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await AssureStartup.requireCurrentSchema(context.application)
        let sql = try context.application.db.sqlDatabase
        for row in try await sql.raw("SELECT kind, source, records, catalogue_date, imported_at FROM kb_imports ORDER BY kind, imported_at").all() {
            let when = try row.decode(column: "imported_at", as: Date.self)
            context.console.print("\(try row.decode(column: "kind", as: String.self))\t\(try row.decode(column: "source", as: String.self))\t\(try row.decode(column: "records", as: Int.self)) records\t\(try row.decode(column: "catalogue_date", as: String?.self) ?? "")\t\(when)")
        }
        let knowledge = try await context.application.knowledgeBase()
        context.console.print("Indexed: \(knowledge.index.records.count) CVEs, \(knowledge.facts.filter(\.knownExploited).count) known exploited, \(knowledge.endOfLife.productCount) end-of-life products")
    }
}

/// `assure estate import --org CODE --format F FILE`, `assure estate analyse [--org CODE]`.
struct EstateCommand: AsyncCommandGroup {
    var help: String { "Import inventories and analyse estates" }
    var commands: [String: any AnyAsyncCommand] { ["import": EstateImportCommand(), "analyse": EstateAnalyseCommand()] }
}

struct EstateImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "org", help: "The organisation's ODS code")
        var organisation: String?
        @Option(name: "format", help: "csv (Assure's columns), intune, sccm, defender or cyclonedx")
        var format: String?
        @Option(name: "map", help: "Column mapping for CSV, e.g. device_id=Serial,hostname=Computer")
        var mapping: String?
        @Flag(name: "allow-large-removal", help: "Accept a file that removes more than 20% of the devices this format last listed")
        var allowLargeRemoval: Bool
        @Argument(name: "file", help: "The export file")
        var file: String
    }

    var help: String { "Imports an inventory export into an organisation's estate, then analyses it; exits non-zero if anything was refused" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let code = signature.organisation?.uppercased() else { throw CommandFailure(message: "estate import: --org CODE is required") }
        let formatName = (signature.format ?? "csv").lowercased()
        try await AssureStartup.requireCurrentSchema(context.application)
        let app = context.application
        let organisationContext = try await OrganisationContext.command("estate import", organisation: code, database: app.db, clock: app.clock)
        let organisation = organisationContext.organisation
        guard FileManager.default.isReadableFile(atPath: signature.file) else { throw CommandFailure(message: "estate import: \(signature.file) cannot be read") }
        var importer = InventoryImport(context: organisationContext)
        importer.allowLargeRemoval = signature.allowLargeRemoval
        let summary: InventoryImport.Summary
        do {
            if formatName == "cyclonedx" {
                summary = try await importer.importCycloneDX(try Data(contentsOf: URL(fileURLWithPath: signature.file)))
            } else {
                guard let format = InventoryFormat.named(formatName) else {
                    throw CommandFailure(message: "estate import: '\(formatName)' is not a format; use csv, intune, sccm, defender or cyclonedx")
                }
                let mapping = try Self.mapping(signature.mapping ?? "")
                let total = try Self.lineCount(signature.file)
                let console = context.console
                summary = try await importer.importCSV(at: signature.file, format: format, mapping: mapping) { done in
                    let width = 30, filled = total == 0 ? width : min(width, done * width / max(total, 1))
                    console.output("\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done) of \(total) rows".consoleText(), newLine: false)
                }
                console.print("")
            }
        } catch let error as AssureError {
            let lines = error.problems.prefix(50).map { "  " + ($0.line.map { "line \($0), " } ?? "") + "\($0.field): \($0.message)" }
            throw CommandFailure(message: (["estate import: nothing was imported; \(error.detail)"] + lines).joined(separator: "\n"))
        }
        context.console.print("\(organisation.odsCode): \(summary.rows) rows — \(summary.inserted) devices added, \(summary.updated) updated, \(summary.removed) removed, \(Words.count(summary.software, "software row")), \(Words.count(summary.rejected, "row")) rejected")
        for problem in summary.problems.prefix(50) { context.console.print("  line \(problem.line ?? 0), \(problem.field): \(problem.message)") }
        let outcome = try await EstateAnalysisRunner(organisationContext, knowledge: try await app.knowledgeBase()).run()
        context.console.print(EstateAnalyseCommand.describe(outcome))
        if summary.rejected > 0 {
            throw CommandFailure(message: "estate import: \(summary.rejected) row\(summary.rejected == 1 ? " was" : "s were") refused (listed above); the rest were imported")
        }
    }

    static func mapping(_ text: String) throws -> [String: String] {
        var mapping: [String: String] = [:]
        for pair in text.split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CommandFailure(message: "estate import: --map '\(pair)' is not field=column")
            }
            mapping[parts[0]] = parts[1]
        }
        return mapping
    }

    /// Rows in the file (lines less the header), for the progress bar.
    static func lineCount(_ path: String) throws -> Int {
        var lines = 0
        try CompressedFile.forEachChunk(path) { chunk in lines += chunk.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } }
        return max(0, lines - 1)
    }
}

struct EstateAnalyseCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "org", help: "One organisation's ODS code; every organisation with devices when left out")
        var organisation: String?
    }

    var help: String { "Matches estates against the knowledge base and records today's results and snapshot" }

    static func describe(_ outcome: EstateAnalysisRunner.Outcome) -> String {
        let r = outcome.roll_up
        return "\(outcome.organisation) on \(outcome.day): \(r.devices) devices, \(outcome.components) distinct components (\(outcome.unmapped_titles) unmapped titles); "
            + "\(r.vulnerable) vulnerable, \(r.knownExploited) exposed to known-exploited CVEs, \(r.unsupportedOS) unsupported OS, \(r.unsupportedSoftware) unsupported software; "
            + "patch compliance \(r.patchCompliancePercent)%" + (outcome.risk.map { "; estate risk \($0)" } ?? "")
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await AssureStartup.requireCurrentSchema(context.application)
        let app = context.application
        let knowledge = try await app.knowledgeBase()
        for organisation in try await EstateAnalyseCommand.organisations(signature.organisation, on: app) {
            let outcome = try await EstateAnalysisRunner(organisation, knowledge: knowledge).run()
            context.console.print(Self.describe(outcome))
        }
    }

    /// The one organisation asked for, or every organisation with devices, each as the command.
    static func organisations(_ code: String?, on app: Application) async throws -> [OrganisationContext] {
        let name = "estate analyse"
        if let code { return [try await OrganisationContext.command(name, organisation: code, database: app.db, clock: app.clock)] }
        let sql = try app.db.sqlDatabase
        var found: [OrganisationContext] = []
        for row in try await sql.raw("SELECT DISTINCT o.ods_code FROM estate_devices d JOIN organisations o ON o.id = d.organisation_id ORDER BY o.ods_code").all() {
            found.append(try await OrganisationContext.command(name, organisation: try row.decode(column: "ods_code", as: String.self), database: app.db, clock: app.clock))
        }
        return found
    }
}

/// `assure demo estate --devices N --organisations M --seed S`: a synthetic estate spread over the
/// first M trusts and practices (by ODS code), imported and analysed as a real one would be.
struct DemoEstateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "devices", help: "How many devices in all (default 2,000)") var devices: Int?
        @Option(name: "organisations", help: "How many organisations share them (default 3)") var organisations: Int?
        @Option(name: "seed", help: "The seed; the same seed gives the same estate (default 1)") var seed: Int?
    }

    var help: String { "Generates a deterministic NHS-like estate and analyses it" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let devices = signature.devices ?? 2000, count = signature.organisations ?? 3, seed = signature.seed ?? 1
        guard devices > 0, devices <= 5_000_000 else { throw CommandFailure(message: "demo estate: --devices must be from 1 to 5,000,000") }
        guard count > 0 else { throw CommandFailure(message: "demo estate: --organisations must be at least 1") }
        guard seed >= 0 else { throw CommandFailure(message: "demo estate: --seed must not be negative") }
        try await AssureStartup.requireCurrentSchema(context.application)
        let outcomes = try await DemoEstate.seed(on: context.application, devices: devices, organisations: count, seed: UInt64(seed))
        for outcome in outcomes { context.console.print(EstateAnalyseCommand.describe(outcome)) }
    }
}

enum DemoEstate {
    /// Where the shipped knowledge subset is (Resources/knowledge, beside the binary).
    static var shippedKnowledgeFolder: String? { Bundle.module.path(forResource: "knowledge", ofType: nil) }

    /// For `serve --demo`: the knowledge subset, 1,500 devices over the three demo trusts, and a
    /// fictional high severity alert, the first time only.
    static func seedOnce(on app: Application) async throws {
        let sql = try app.db.sqlDatabase
        guard try await sql.raw("SELECT COUNT(*) AS n FROM estate_devices").first()?.decode(column: "n", as: Int.self) == 0 else { return }
        _ = try await seed(on: app, devices: 1500, organisations: 3, seed: 1)
        let exists = try await sql.raw("SELECT COUNT(*) AS n FROM cyber_alerts").first()?.decode(column: "n", as: Int.self) ?? 0
        guard exists == 0 else { return }
        try await sql.insert(into: "cyber_alerts").columns("id", "reference", "title", "issued_at", "cves", "required_action", "created_by")
            .values(SQLBind(UUID()), SQLBind("CC-DEMO-1"), SQLBind("Fictional demo alert: remote desktop and SMBv1 exploitation on legacy Windows"),
                    SQLBind(app.clock.now().addingTimeInterval(-3 * 86_400)), SQLBind("CVE-2019-0708 CVE-2017-0144"),
                    SQLBind("Isolate or patch every device running Windows 7 or earlier; disable SMBv1; confirm the position to NHS England."), SQLBind("command:demo")).run()
    }

    /// The shipped knowledge base subset, loaded when the knowledge base is empty.
    static func loadShippedKnowledge(on app: Application) async throws {
        let sql = try app.db.sqlDatabase
        guard try await sql.raw("SELECT COUNT(*) AS n FROM kb_imports").first()?.decode(column: "n", as: Int.self) == 0,
              let folder = shippedKnowledgeFolder else { return }
        let importer = KnowledgeBaseImport(database: app.db, actor: "command:demo")
        _ = try await importer.run(.cve5, path: "\(folder)/vulnrichment-subset.jsonl.gz")
        _ = try await importer.run(.nvd, path: "\(folder)/nvd-subset.jsonl.gz")
        _ = try await importer.run(.nvd, path: "\(folder)/nvd2-config-samples.json")
        _ = try await importer.run(.kev, path: "\(folder)/kev.json.gz")
        _ = try await importer.run(.eol, path: "\(folder)/endoflife")
    }

    static func seed(on app: Application, devices: Int, organisations count: Int, seed: UInt64) async throws -> [EstateAnalysisRunner.Outcome] {
        try await loadShippedKnowledge(on: app)
        let sql = try app.db.sqlDatabase
        let codes = try await sql.raw("SELECT ods_code FROM organisations WHERE type IN ('trust', 'foundation-trust', 'gp-practice') ORDER BY CASE type WHEN 'gp-practice' THEN 1 ELSE 0 END, ods_code LIMIT \(unsafeRaw: String(count))").all()
            .map { try $0.decode(column: "ods_code", as: String.self) }
        guard codes.count == count else {
            throw CommandFailure(message: "demo estate: only \(codes.count) trusts and practices exist; load organisations first (assure demo region or national)")
        }
        let today = app.clock.today
        let estate = SyntheticEstate(devices: devices, organisations: count, seed: seed, today: today)
        let knowledge = try await app.knowledgeBase()
        var outcomes: [EstateAnalysisRunner.Outcome] = []
        for (index, code) in codes.enumerated() {
            let context = try await OrganisationContext.command("demo estate", organisation: code, database: app.db, clock: app.clock)
            let mine = estate.devices.filter { $0.organisation == Int32(index) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("assure-demo-estate-\(code)-\(UUID().uuidString).csv").path
            try InventoryCSV.write(mine.map { estate.inventory(of: $0, organisationCode: code) }, to: file)
            defer { try? FileManager.default.removeItem(atPath: file) }
            _ = try await InventoryImport(context: context).importCSV(at: file, format: .generic)
            outcomes.append(try await EstateAnalysisRunner(context, knowledge: knowledge).run())
        }
        return outcomes
    }


}

/// Writes inventories in Assure's own CSV columns, one row per device and title: how the demo and
/// the benchmarks hand a synthetic estate to the same import a real export goes through.
public enum InventoryCSV {
    public static func write(_ devices: some Sequence<(InventoryDevice, [InventorySoftware])>, to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CommandFailure(message: "cannot write \(path)") }
        defer { try? handle.close() }
        func field(_ text: String) -> String { text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text }
        var buffer = InventoryField.allCases.map(\.rawValue).joined(separator: ",") + "\n"
        for (device, software) in devices {
            let head = [device.deviceID, device.hostname, device.type.rawValue, device.osName, device.osBuild, device.site, device.owner,
                        device.criticality.rawValue, device.supportsClinicalSystem ? "yes" : "no", device.lastSeen?.description ?? ""].map(field).joined(separator: ",")
            if software.isEmpty { buffer += head + ",,,,,\n" }
            for item in software { buffer += head + "," + [item.name, item.vendor, item.version, item.cpe ?? "", item.purl ?? ""].map(field).joined(separator: ",") + "\n" }
            if buffer.utf8.count > 1 << 20 { handle.write(Data(buffer.utf8)); buffer = "" }
        }
        handle.write(Data(buffer.utf8))
    }
}

/// Knowledge files read as `assure kb import` reads them, for benchmarks that build the matcher
/// in memory: gzip or plain contents, and endoflife.date product pages.
public enum KnowledgeFiles {
    public static func contents(_ path: String) throws -> Data { try CompressedFile.contents(path) }
    public static func endOfLife(_ path: String) throws -> EndOfLifeProduct { try KnowledgeBaseImport.readEndOfLife(path) }
}
