import ArgumentParser
import AssureCore
import AssureDemo
import Foundation
import SQLKit
import Vapor

/// `assure kb import nvd|cve5|kev|eol PATH` and `assure kb status`.
struct KnowledgeBaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb", abstract: "Import and inspect the vulnerability and end-of-life knowledge base.",
        subcommands: [KnowledgeBaseImportCommand.self, KnowledgeBaseStatusCommand.self])
}

extension KnowledgeBaseImport.Kind: ExpressibleByArgument {
    init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

struct KnowledgeBaseImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Imports a knowledge base feed; a re-import of the same file replaces what it brought, and a bad feed changes nothing.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandArgument(help: "nvd (NVD CVE API 2.0 JSON), cve5 (CVE JSON 5), kev (CISA KEV catalogue) or eol (endoflife.date product files).")
    var kind: KnowledgeBaseImport.Kind

    @CommandArgument(help: "A file (.json, .jsonl, .gz, .md) or a directory of them.")
    var path: String

    @CommandFlag(name: .customLong("skip-invalid"), help: "Import a feed's valid NVD or CVE 5 records and list the invalid ones, instead of refusing the feed.")
    var skipInvalid = false

    func run() async throws {
        let (output, kind, path, skipInvalid) = (output.output, kind, path, skipInvalid)
        try await CommandSession.run(storage) { app in
            let progress = output.progress("Importing", unit: "records")
            var importer = KnowledgeBaseImport(database: app.db, actor: "command:kb import", clock: app.clock, skipInvalid: skipInvalid)
            importer.progress = progress
            do {
                let summaries = try await importer.run(kind, path: path)
                progress.finish()
                for summary in summaries { output.say(summary.description) }
                try output.summary(summaries)
            } catch let failure as KnowledgeBaseImport.Failure {
                progress.finish()
                throw CommandFailure(message: "kb import: \(failure.description)")
            }
        }
    }
}

struct KnowledgeBaseStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Lists what the knowledge base holds and when each feed was imported.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    struct Feed: Encodable { var kind: String; var source: String; var records: Int; var catalogueDate: String?; var importedAt: Date }
    struct Summary: Encodable { var feeds: [Feed]; var cves: Int; var knownExploited: Int; var endOfLifeProducts: Int }

    func run() async throws {
        let output = output.output
        try await CommandSession.run(storage) { app in
            let sql = try app.db.sqlDatabase
            let feeds = try await sql.raw("SELECT kind, source, records, catalogue_date, imported_at FROM kb_imports ORDER BY kind, imported_at").all().map { row in
                Feed(kind: try row.decode(column: "kind", as: String.self), source: try row.decode(column: "source", as: String.self),
                     records: try row.decode(column: "records", as: Int.self), catalogueDate: try row.decode(column: "catalogue_date", as: String?.self),
                     importedAt: try row.decode(column: "imported_at", as: Date.self))
            }
            for feed in feeds {
                output.say("\(feed.kind)\t\(feed.source)\t\(Words.count(feed.records, "record"))\t\(feed.catalogueDate ?? "")\t\(LondonTime.format(feed.importedAt))")
            }
            let knowledge = try await app.knowledgeBase()
            let summary = Summary(feeds: feeds, cves: knowledge.index.records.count, knownExploited: knowledge.facts.filter(\.knownExploited).count,
                                  endOfLifeProducts: knowledge.endOfLife.productCount)
            output.say("Indexed: \(Words.number(summary.cves)) CVEs, \(Words.number(summary.knownExploited)) known exploited, \(Words.number(summary.endOfLifeProducts)) end-of-life products")
            try output.summary(summary)
        }
    }
}

/// `assure estate import --org CODE --format F FILE`, `assure estate analyse [--org CODE]`.
struct EstateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estate", abstract: "Import inventories and analyse estates.", subcommands: [EstateImportCommand.self, EstateAnalyseCommand.self])
}

struct EstateImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Imports an inventory export into an organisation's estate, then analyses it; exits non-zero if anything was refused.")

    static let formats = ["csv", "intune", "sccm", "defender", "cyclonedx"]

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(name: .customLong("org"), help: "The organisation's ODS code.")
    var organisation: String

    @CommandOption(help: "csv (Assure's columns), intune, sccm, defender or cyclonedx.")
    var format = "csv"

    @CommandOption(name: .customLong("map"), help: "Column mapping for CSV, e.g. device_id=Serial,hostname=Computer.")
    var mapping = ""

    @CommandFlag(name: .customLong("allow-large-removal"), help: "Accept a file that removes more than 20% of the devices this format last listed.")
    var allowLargeRemoval = false

    @CommandArgument(help: "The export file.")
    var file: String

    func validate() throws {
        guard Self.formats.contains(format.lowercased()) else {
            throw UsageError("--format '\(format)' is not a format; use \(Self.formats.joined(separator: ", "))")
        }
        _ = try Self.mapping(mapping)
    }

    struct Summary: Encodable { var `import`: InventoryImport.Summary; var analysis: EstateAnalysisRunner.Outcome }

    func run() async throws {
        let (output, file, allowLargeRemoval, code) = (output.output, file, allowLargeRemoval, organisation.uppercased())
        let formatName = format.lowercased(), mapping = try Self.mapping(mapping)
        guard FileManager.default.isReadableFile(atPath: file) else { throw CommandFailure(message: "estate import: \(file) cannot be read") }
        let summary = try await CommandSession.run(storage) { app in
            let context = try await OrganisationContext.command("estate import", organisation: code, database: app.db, clock: app.clock)
            var importer = InventoryImport(context: context)
            importer.allowLargeRemoval = allowLargeRemoval
            let summary: InventoryImport.Summary
            do {
                if formatName == "cyclonedx" {
                    summary = try await importer.importCycloneDX(try Data(contentsOf: URL(fileURLWithPath: file)))
                } else {
                    let format = InventoryFormat.named(formatName) ?? .generic
                    let progress = output.progress("Importing \((file as NSString).lastPathComponent)", unit: "rows", total: try Self.lineCount(file))
                    summary = try await importer.importCSV(at: file, format: format, mapping: mapping, progress: progress)
                    progress.finish()
                }
            } catch let error as AssureError {
                throw error.commandFailure("estate import: nothing was imported; \(error.detail)")
            }
            output.say("\(code): \(summary.rows) rows — \(summary.inserted) devices added, \(summary.updated) updated, \(summary.removed) removed, \(Words.count(summary.software, "software row")), \(Words.count(summary.rejected, "row")) rejected")
            for problem in summary.problems.prefix(50) { output.warn("  line \(problem.line ?? 0), \(problem.field): \(problem.message)") }
            let outcome = try await EstateAnalysisRunner(context, knowledge: try await app.knowledgeBase()).run()
            output.say(EstateAnalyseCommand.describe(outcome))
            try output.summary(Summary(import: summary, analysis: outcome))
            return summary
        }
        if summary.rejected > 0 {
            throw CommandFailure(message: "estate import: \(summary.rejected) row\(summary.rejected == 1 ? " was" : "s were") refused (listed above); the rest were imported")
        }
    }

    static func mapping(_ text: String) throws -> [String: String] {
        var mapping: [String: String] = [:]
        for pair in text.split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw UsageError("--map '\(pair)' is not field=column")
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

struct EstateAnalyseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyse", abstract: "Matches estates against the knowledge base and records today's results and snapshot.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(name: .customLong("org"), help: "One organisation's ODS code; every organisation with devices when left out.")
    var organisation: String?

    static func describe(_ outcome: EstateAnalysisRunner.Outcome) -> String {
        let r = outcome.roll_up
        return "\(outcome.organisation) on \(outcome.day): \(r.devices) devices, \(outcome.components) distinct components (\(outcome.unmapped_titles) unmapped titles); "
            + "\(r.vulnerable) vulnerable, \(r.knownExploited) exposed to known-exploited CVEs, \(r.unsupportedOS) unsupported OS, \(r.unsupportedSoftware) unsupported software; "
            + "patch compliance \(r.patchCompliancePercent)%" + (outcome.risk.map { "; estate risk \($0)" } ?? "")
    }

    func run() async throws {
        let (output, code) = (output.output, organisation)
        try await CommandSession.run(storage) { app in
            let knowledge = try await app.knowledgeBase()
            let organisations = try await Self.organisations(code, on: app)
            let progress = output.progress("Analysing estates", unit: "organisations", total: organisations.count)
            var outcomes: [EstateAnalysisRunner.Outcome] = []
            for (done, organisation) in organisations.enumerated() {
                progress.update(done)
                outcomes.append(try await EstateAnalysisRunner(organisation, knowledge: knowledge).run())
                output.say(Self.describe(outcomes[done]))
            }
            progress.update(organisations.count)
            progress.finish()
            try output.summary(outcomes)
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
struct DemoEstateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "estate", abstract: "Generates a deterministic NHS-like estate and analyses it.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(help: "How many devices in all, 1 to 5,000,000.")
    var devices = 2000

    @CommandOption(help: "How many organisations share them (the first trusts and practices by ODS code).")
    var organisations = 3

    @CommandOption(help: "The seed; the same seed gives the same estate.")
    var seed = 1

    func validate() throws {
        guard (1...5_000_000).contains(devices) else { throw UsageError("--devices must be from 1 to 5,000,000") }
        guard organisations > 0 else { throw UsageError("--organisations must be at least 1") }
        guard seed >= 0 else { throw UsageError("--seed must not be negative") }
    }

    func run() async throws {
        let (output, devices, count, seed) = (output.output, devices, organisations, UInt64(seed))
        try await CommandSession.run(storage) { app in
            let progress = output.progress("Generating and analysing estates", unit: "organisations", total: count)
            let outcomes = try await DemoEstate.seed(on: app, devices: devices, organisations: count, seed: seed, progress: progress)
            progress.finish()
            for outcome in outcomes { output.say(EstateAnalyseCommand.describe(outcome)) }
            try output.summary(outcomes)
        }
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
        let importer = KnowledgeBaseImport(database: app.db, actor: "command:demo", clock: app.clock)
        _ = try await importer.run(.cve5, path: "\(folder)/vulnrichment-subset.jsonl.gz")
        _ = try await importer.run(.nvd, path: "\(folder)/nvd-subset.jsonl.gz")
        _ = try await importer.run(.nvd, path: "\(folder)/nvd2-config-samples.json")
        _ = try await importer.run(.kev, path: "\(folder)/kev.json.gz")
        _ = try await importer.run(.eol, path: "\(folder)/endoflife")
    }

    static func seed(on app: Application, devices: Int, organisations count: Int, seed: UInt64,
                     progress: (any JobProgress)? = nil) async throws -> [EstateAnalysisRunner.Outcome] {
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
            progress?.update(index)
            let context = try await OrganisationContext.command("demo estate", organisation: code, database: app.db, clock: app.clock)
            let mine = estate.devices.filter { $0.organisation == Int32(index) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("assure-demo-estate-\(code)-\(UUID().uuidString).csv").path
            try InventoryCSV.write(mine.map { estate.inventory(of: $0, organisationCode: code) }, to: file)
            defer { try? FileManager.default.removeItem(atPath: file) }
            _ = try await InventoryImport(context: context).importCSV(at: file, format: .generic)
            outcomes.append(try await EstateAnalysisRunner(context, knowledge: knowledge).run())
        }
        progress?.update(codes.count)
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
