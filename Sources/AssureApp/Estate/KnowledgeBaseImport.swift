import AssureCore
import Fluent
import Foundation
import SQLKit
import Yams

/// `assure kb import`: the NVD (API 2.0 JSON, feed files or one record a line, gzip or not), CVE
/// JSON 5 records, the CISA KEV catalogue and endoflife.date product files. Every record is read
/// and checked before anything is written; one transaction then replaces what the same source
/// (file name) brought before, so a re-import replaces cleanly and a bad feed changes nothing.
struct KnowledgeBaseImport {
    enum Kind: String, CaseIterable, Encodable {
        case nvd, cve5, kev, eol
        var title: String {
            switch self {
            case .nvd: "NVD CVE API 2.0"
            case .cve5: "CVE JSON 5"
            case .kev: "CISA KEV catalogue"
            case .eol: "endoflife.date products"
            }
        }
    }

    struct Summary: Sendable, Encodable, CustomStringConvertible {
        var kind: Kind
        var source: String
        var records: Int
        var replaced: Int
        var catalogueDate: String?
        /// Records left out with `--skip-invalid`, each with its place and problem.
        var skipped: [String] = []
        var description: String {
            "\(kind.title) from \(source): \(records) records imported" + (replaced > 0 ? ", \(replaced) from the previous import of \(source) replaced" : "")
                + (catalogueDate.map { " (catalogue \($0))" } ?? "")
                + (skipped.isEmpty ? "" : "; \(skipped.count) invalid records skipped:\n  " + skipped.prefix(20).joined(separator: "\n  ") + (skipped.count > 20 ? "\n  …" : ""))
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var problems: [String]
        var description: String { problems.prefix(20).joined(separator: "\n") + (problems.count > 20 ? "\n… and \(problems.count - 20) more" : "") }
    }

    let database: any Database
    let actor: String
    /// When each import is recorded as made.
    let clock: AssureClock
    /// Import the valid records of a feed and list the invalid ones, instead of refusing the feed.
    /// Off by default: a feed is all or nothing unless the administrator asks.
    var skipInvalid = false
    /// How far the import has got, file by file (the command line's progress bar).
    var progress: (any JobProgress)?

    /// The files a path names: the file itself, or a directory's files with a suitable extension.
    static func files(at path: String, kind: Kind) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw Failure(problems: ["\(path) does not exist"]) }
        guard isDirectory.boolValue else { return [path] }
        let suffixes = kind == .eol ? [".md"] : [".json", ".json.gz", ".jsonl", ".jsonl.gz"]
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { name in suffixes.contains { name.hasSuffix($0) } }.sorted()
        guard !names.isEmpty else { throw Failure(problems: ["\(path) holds no \(suffixes.joined(separator: " or ")) files"]) }
        return names.map { (path as NSString).appendingPathComponent($0) }
    }

    func run(_ kind: Kind, path: String) async throws -> [Summary] {
        var summaries: [Summary] = []
        for file in try Self.files(at: path, kind: kind) {
            let source = (file as NSString).lastPathComponent
            progress?.begin("Reading \(source)", total: nil)
            switch kind {
            case .nvd:
                let (rows, skipped) = try Self.readNVD(file, skipInvalid: skipInvalid)
                var summary = try await importVulnerabilities(rows, table: "kb_nvd", kind: kind, source: source)
                summary.skipped = skipped
                summaries.append(summary)
            case .cve5:
                let (rows, skipped) = try Self.readCVE5(file, skipInvalid: skipInvalid)
                var summary = try await importVulnerabilities(rows, table: "kb_cve5", kind: kind, source: source)
                summary.skipped = skipped
                summaries.append(summary)
            case .kev: summaries.append(try await importKEV(try Self.readKEV(file), source: source))
            case .eol: summaries.append(try await importEndOfLife([try Self.readEndOfLife(file)], source: source))
            }
        }
        return summaries
    }

    // MARK: reading (everything is checked before a transaction starts)

    struct VulnerabilityRow: Sendable {
        var id: String
        var published: String?
        var description: String?
        var score: CVEScore?
        var exploitedSince: String?
        var configurations: String
    }

    /// JSON records from a file: a document with `vulnerabilities` (the NVD API and feeds), one
    /// record, an array, or one record per line.
    static func records<T: Decodable>(_ type: T.Type, in path: String, wrapper: String) throws -> (found: [(String, T)], problems: [String]) {
        let decoder = JSONDecoder()
        let name = (path as NSString).lastPathComponent
        var problems: [String] = []
        var found: [(String, T)] = []
        let data: Data
        do { data = try CompressedFile.contents(path) } catch { throw Failure(problems: ["\(error)"]) }
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "{"), let single = try? JSONSerialization.jsonObject(with: data) {
            if let object = single as? [String: Any], let list = object[wrapper] as? [Any] {
                for (i, element) in list.enumerated() {
                    do { found.append(("\(name) \(wrapper)[\(i)]", try decoder.decode(T.self, from: try JSONSerialization.data(withJSONObject: element)))) }
                    catch { problems.append("\(name) \(wrapper)[\(i)]: \(Self.describe(error))") }
                }
            } else {
                do { found.append((name, try decoder.decode(T.self, from: data))) } catch { problems.append("\(name): \(Self.describe(error))") }
            }
        } else if trimmed.first == UInt8(ascii: "[") {
            do { found = try decoder.decode([T].self, from: data).enumerated().map { ("\(name)[\($0)]", $1) } } catch { problems.append("\(name): \(Self.describe(error))") }
        } else {
            var number = 0
            for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
                number += 1
                guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) else { continue }
                do { found.append(("\(name) line \(number)", try decoder.decode(T.self, from: Data(line)))) }
                catch { problems.append("\(name) line \(number): \(Self.describe(error))") }
            }
        }
        if found.isEmpty, problems.isEmpty { problems.append("\(name): holds no records") }
        return (found, problems)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context): return "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return "not valid JSON" + (context.codingPath.isEmpty ? "" : " at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        default: return "\(error)"
        }
    }

    static func readNVD(_ path: String, skipInvalid: Bool = false) throws -> (rows: [VulnerabilityRow], skipped: [String]) {
        let encoder = JSONEncoder()
        var (found, problems) = try records(NVDRecord.self, in: path, wrapper: "vulnerabilities")
        var rows: [VulnerabilityRow] = []
        for (place, record) in found {
            guard CVEIdentifier.isValid(record.id) else { problems.append("\(place): id '\(record.id)' is not a CVE id"); continue }
            if case .failure(let problem) = record.applicability() { problems.append("\(place): \(problem.message)"); continue }
            rows.append(VulnerabilityRow(id: record.id, published: record.published, description: record.description, score: record.bestScore,
                                         exploitedSince: record.exploitedSince,
                                         configurations: String(decoding: try encoder.encode(StoredConfigurations(record.configurations)), as: UTF8.self)))
        }
        guard problems.isEmpty || (skipInvalid && !rows.isEmpty) else {
            throw Failure(problems: ["Nothing was imported; \(problems.count) problem(s) (--skip-invalid imports the valid records and lists these):"] + problems)
        }
        return (rows, problems)
    }

    static func readCVE5(_ path: String, skipInvalid: Bool = false) throws -> (rows: [VulnerabilityRow], skipped: [String]) {
        let encoder = JSONEncoder()
        var (found, problems) = try records(CVE5Record.self, in: path, wrapper: "records")
        var rows: [VulnerabilityRow] = []
        for (place, record) in found {
            guard CVEIdentifier.isValid(record.id) else { problems.append("\(place): id '\(record.id)' is not a CVE id"); continue }
            switch record.applicability() {
            case .failure(let problem): problems.append("\(place): \(problem.message)")
            case .success(let applicability):
                rows.append(VulnerabilityRow(id: record.id, published: record.published, description: record.description, score: record.bestScore,
                                             exploitedSince: record.exploitedSince,
                                             configurations: String(decoding: try encoder.encode(StoredConfigurations(applicability)), as: UTF8.self)))
            }
        }
        guard problems.isEmpty || (skipInvalid && !rows.isEmpty) else {
            throw Failure(problems: ["Nothing was imported; \(problems.count) problem(s) (--skip-invalid imports the valid records and lists these):"] + problems)
        }
        return (rows, problems)
    }

    static func readKEV(_ path: String) throws -> KEVCatalogue {
        let name = (path as NSString).lastPathComponent
        let catalogue: KEVCatalogue
        do { catalogue = try JSONDecoder().decode(KEVCatalogue.self, from: try CompressedFile.contents(path)) }
        catch let error as CompressedFile.Problem { throw Failure(problems: [error.message]) }
        catch { throw Failure(problems: ["\(name): \(describe(error))"]) }
        let problems = catalogue.problems()
        guard problems.isEmpty else { throw Failure(problems: ["Nothing was imported; \(problems.count) problem(s) in \(name):"] + problems.map { "\(name) \($0)" }) }
        return catalogue
    }

    /// An endoflife.date product page: YAML front matter between `---` lines.
    static func readEndOfLife(_ path: String) throws -> EndOfLifeProduct {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let text = String(data: try CompressedFile.contents(path), encoding: .utf8) else { throw Failure(problems: ["\(path) is not UTF-8 text"]) }
        let parts = text.components(separatedBy: "\n---")
        guard text.hasPrefix("---"), parts.count >= 2 else { throw Failure(problems: ["\(name).md: no YAML front matter between --- lines"]) }
        let yaml = String(parts[0].dropFirst(3))
        let object: Any?
        do { object = try Yams.load(yaml: yaml) } catch { throw Failure(problems: ["\(name).md: the front matter is not valid YAML: \(error)"]) }
        guard let front = object as? [String: Any] else { throw Failure(problems: ["\(name).md: the front matter is not a mapping"]) }
        let identifiers = front["identifiers"] as? [[String: Any]] ?? []
        let keys = identifiers.compactMap { $0["cpe"] as? String }.filter { $0.hasPrefix("cpe:2.3:") }.compactMap { cpe -> String? in
            let parts = cpe.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count >= 5 ? "\(parts[3]):\(parts[4])".lowercased() : nil
        }
        guard let releases = front["releases"] as? [[String: Any]] else { throw Failure(problems: ["\(name).md: releases is missing"]) }
        var problems: [String] = []
        var cycles: [EndOfLifeProduct.Cycle] = []
        func string(_ value: Any?) -> String? {
            switch value {
            case let string as String: string
            case let bool as Bool: bool ? "true" : "false"
            case let date as Date: CalendarDay(date).description
            case let number as Int: String(number)
            case let number as Double: String(number)
            default: nil
            }
        }
        for (i, release) in releases.enumerated() {
            guard let cycle = string(release["releaseCycle"]) else { problems.append("\(name).md releases[\(i)].releaseCycle is missing"); continue }
            let eolText = string(release["eol"]) ?? "false"
            guard let eol = EndOfLifeDate(eolText) else { problems.append("\(name).md releases[\(i)].eol: '\(eolText)' is not a date, true or false"); continue }
            cycles.append(.init(cycle: cycle, label: string(release["releaseLabel"]), releaseDate: string(release["releaseDate"]).flatMap(CalendarDay.init),
                                endOfLife: eol, latest: string(release["latest"]), longTerm: (release["lts"] as? Bool) ?? false))
        }
        guard problems.isEmpty else { throw Failure(problems: ["Nothing was imported; \(problems.count) problem(s):"] + problems) }
        return EndOfLifeProduct(name: name, label: (front["title"] as? String) ?? name, cpeKeys: keys, cycles: cycles)
    }

    // MARK: writing

    private func recordImport(_ kind: Kind, source: String, records: Int, catalogueDate: String? = nil, on sql: any SQLDatabase) async throws -> (UUID, Int) {
        let previous = try await sql.raw("SELECT id FROM kb_imports WHERE kind = \(bind: kind.rawValue) AND source = \(bind: source)").all()
            .map { try $0.decode(column: "id", as: UUID.self) }
        let id = UUID()
        try await sql.insert(into: "kb_imports").columns("id", "kind", "source", "records", "catalogue_date", "imported_by", "imported_at")
            .values(SQLBind(id), SQLBind(kind.rawValue), SQLBind(source), SQLBind(records), SQLBind(catalogueDate), SQLBind(actor), SQLBind(clock.now())).run()
        var replaced = 0
        if !previous.isEmpty {
            let table = kind == .nvd ? "kb_nvd" : kind == .cve5 ? "kb_cve5" : kind == .kev ? "kb_kev" : "kb_eol_products"
            replaced = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE import_id IN (\(binds: previous))").first()?.decode(column: "n", as: Int.self) ?? 0
            try await sql.raw("DELETE FROM \(ident: table) WHERE import_id IN (\(binds: previous))").run()
            try await sql.raw("DELETE FROM kb_imports WHERE id IN (\(binds: previous))").run()
        }
        return (id, replaced)
    }

    private func importVulnerabilities(_ rows: [VulnerabilityRow], table: String, kind: Kind, source: String) async throws -> Summary {
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            let (id, replaced) = try await recordImport(kind, source: source, records: rows.count, on: sql)
            // A record seen again (a later feed, a re-import) replaces the earlier one.
            progress?.begin("Writing \(source)", total: rows.count)
            for (index, chunk) in rows.chunks(of: 500).enumerated() {
                progress?.update(index * 500)
                try await sql.raw("DELETE FROM \(ident: table) WHERE cve_id IN (\(binds: chunk.map(\.id)))").run()
                var seen = Set<String>()
                let insert = sql.insert(into: table).columns("cve_id", "import_id", "published", "description", "score", "cvss_version", "severity", "vector",
                                                             "exploited_since", "configurations")
                for row in chunk.reversed() where seen.insert(row.id).inserted {
                    insert.values(SQLBind(row.id), SQLBind(id), SQLBind(row.published), SQLBind(row.description), SQLBind(row.score?.score),
                                  SQLBind(row.score?.version), SQLBind(row.score?.severity), SQLBind(row.score?.vector), SQLBind(row.exploitedSince),
                                  SQLBind(row.configurations))
                }
                try await insert.run()
            }
            progress?.update(rows.count)
            return Summary(kind: kind, source: source, records: rows.count, replaced: replaced)
        }
    }

    private func importKEV(_ catalogue: KEVCatalogue, source: String) async throws -> Summary {
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            // The catalogue is complete in itself: it replaces whatever catalogue came before.
            let previous = try await sql.raw("SELECT COUNT(*) AS n FROM kb_kev").first()?.decode(column: "n", as: Int.self) ?? 0
            try await sql.raw("DELETE FROM kb_kev").run()
            try await sql.raw("DELETE FROM kb_imports WHERE kind = 'kev'").run()
            let (id, _) = try await recordImport(.kev, source: source, records: catalogue.vulnerabilities.count, catalogueDate: catalogue.catalogVersion, on: sql)
            var seen = Set<String>()
            let unique = catalogue.vulnerabilities.filter { seen.insert($0.cveID).inserted }
            for chunk in unique.chunks(of: 500) {
                let insert = sql.insert(into: "kb_kev").columns("cve_id", "import_id", "vendor", "product", "name", "date_added", "due_date", "required_action", "ransomware")
                for entry in chunk {
                    insert.values(SQLBind(entry.cveID), SQLBind(id), SQLBind(entry.vendorProject), SQLBind(entry.product), SQLBind(entry.vulnerabilityName),
                                  SQLBind(entry.dateAdded), SQLBind(entry.dueDate), SQLBind(entry.requiredAction),
                                  SQLBind(entry.knownRansomwareCampaignUse?.lowercased() == "known"))
                }
                try await insert.run()
            }
            return Summary(kind: .kev, source: source, records: unique.count, replaced: previous, catalogueDate: catalogue.catalogVersion)
        }
    }

    func importEndOfLife(_ products: [EndOfLifeProduct], source: String) async throws -> Summary {
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            let (id, replaced) = try await recordImport(.eol, source: source, records: products.count, on: sql)
            for product in products {
                try await sql.raw("DELETE FROM kb_eol_cycles WHERE product = \(bind: product.name)").run()
                try await sql.raw("DELETE FROM kb_eol_products WHERE product = \(bind: product.name)").run()
                try await sql.insert(into: "kb_eol_products").columns("product", "import_id", "label", "cpe_keys")
                    .values(SQLBind(product.name), SQLBind(id), SQLBind(product.label), SQLBind(product.cpeKeys.joined(separator: " "))).run()
                guard !product.cycles.isEmpty else { continue }
                let insert = sql.insert(into: "kb_eol_cycles").columns("product", "cycle", "label", "release_date", "eol", "latest", "lts", "position")
                var seen = Set<String>()
                for (position, cycle) in product.cycles.enumerated() where seen.insert(cycle.cycle).inserted {
                    insert.values(SQLBind(product.name), SQLBind(cycle.cycle), SQLBind(cycle.label), SQLBind(cycle.releaseDate?.description),
                                  SQLBind(cycle.endOfLife.description), SQLBind(cycle.latest), SQLBind(cycle.longTerm), SQLBind(position))
                }
                try await insert.run()
            }
            return Summary(kind: .eol, source: source, records: products.count, replaced: replaced)
        }
    }
}

/// Configurations as stored: NVD's own JSON shape, so what was imported can be read back exactly.
struct StoredConfigurations: Codable {
    struct Match: Codable {
        var criteria: String
        var vulnerable: Bool
        var versionStartIncluding: String?
        var versionStartExcluding: String?
        var versionEndIncluding: String?
        var versionEndExcluding: String?
    }
    struct Node: Codable { var operator_: String?; var negate: Bool?; var cpeMatch: [Match]
        enum CodingKeys: String, CodingKey { case operator_ = "operator", negate, cpeMatch } }
    struct Configuration: Codable { var operator_: String?; var nodes: [Node]
        enum CodingKeys: String, CodingKey { case operator_ = "operator", nodes } }
    var configurations: [Configuration]

    init(_ configurations: [NVDRecord.Configuration]) {
        self.configurations = configurations.map { configuration in
            Configuration(operator_: configuration.operator_, nodes: configuration.nodes.map { node in
                Node(operator_: node.operator_, negate: node.negate, cpeMatch: node.cpeMatch.map {
                    Match(criteria: $0.criteria, vulnerable: $0.vulnerable, versionStartIncluding: $0.versionStartIncluding, versionStartExcluding: $0.versionStartExcluding,
                          versionEndIncluding: $0.versionEndIncluding, versionEndExcluding: $0.versionEndExcluding)
                })
            })
        }
    }

    init(_ applicability: CVEApplicability) {
        configurations = applicability.configurations.map { configuration in
            Configuration(operator_: configuration.and ? "AND" : "OR", nodes: configuration.nodes.map { node in
                Node(operator_: node.and ? "AND" : "OR", negate: node.negate, cpeMatch: node.matches.map {
                    Match(criteria: $0.criteria.description, vulnerable: $0.vulnerable, versionStartIncluding: $0.versionStartIncluding,
                          versionStartExcluding: $0.versionStartExcluding, versionEndIncluding: $0.versionEndIncluding, versionEndExcluding: $0.versionEndExcluding)
                })
            })
        }
    }

    func applicability(id: String) -> CVEApplicability? {
        let configurations = configurations.map { configuration in
            CVEApplicability.Configuration(and: configuration.operator_?.uppercased() == "AND", nodes: configuration.nodes.map { node in
                CVEApplicability.Node(and: node.operator_?.uppercased() == "AND", negate: node.negate ?? false, matches: node.cpeMatch.compactMap { match in
                    (try? CPE(match.criteria)).map {
                        CPEMatch(criteria: $0, vulnerable: match.vulnerable, versionStartIncluding: match.versionStartIncluding,
                                 versionStartExcluding: match.versionStartExcluding, versionEndIncluding: match.versionEndIncluding,
                                 versionEndExcluding: match.versionEndExcluding)
                    }
                })
            })
        }
        return CVEApplicability(id: id, configurations: configurations)
    }
}
