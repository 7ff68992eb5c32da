import AssureCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The knowledge base as the matcher reads it: every CVE's applicability indexed, its facts
/// (score, publication, KEV), and the end-of-life products. Built from the kb tables and kept in
/// memory until an import changes them (checked cheaply on each use), so pages and analyses on
/// any instance see the same knowledge.
struct KnowledgeBase: Sendable {
    let index: VulnerabilityIndex
    let facts: [CVEFacts]
    let endOfLife: EndOfLifeIndex
    let stamp: String

    static let empty = KnowledgeBase(index: VulnerabilityIndex([]), facts: [], endOfLife: EndOfLifeIndex([]), stamp: "")

    /// NVD's configurations win where both sources describe a CVE; CVE JSON 5 fills in CVEs NVD
    /// has not analysed and scores NVD has not given. KEV comes from the catalogue, or from
    /// either record's CISA date when the catalogue is not imported.
    static func load(from sql: any SQLDatabase, stamp: String) async throws -> KnowledgeBase {
        let decoder = JSONDecoder()
        struct Row { var published: String?; var score: Double?; var exploited: String?; var configurations: String }
        var rows: [String: Row] = [:]
        for table in ["kb_cve5", "kb_nvd"] {
            for row in try await sql.raw("SELECT cve_id, published, score, exploited_since, configurations FROM \(ident: table)").all() {
                let id = try row.decode(column: "cve_id", as: String.self)
                let new = Row(published: try row.decode(column: "published", as: String?.self), score: try row.decode(column: "score", as: Double?.self),
                              exploited: try row.decode(column: "exploited_since", as: String?.self),
                              configurations: try row.decode(column: "configurations", as: String.self))
                if let old = rows[id] {
                    let nvdHasNone = new.configurations.contains("\"configurations\":[]")
                    rows[id] = Row(published: new.published ?? old.published, score: new.score ?? old.score, exploited: new.exploited ?? old.exploited,
                                   configurations: nvdHasNone ? old.configurations : new.configurations)
                } else { rows[id] = new }
            }
        }
        var kev: [String: (String, Bool)] = [:]
        for row in try await sql.raw("SELECT cve_id, date_added, ransomware FROM kb_kev").all() {
            kev[try row.decode(column: "cve_id", as: String.self)] = (try row.decode(column: "date_added", as: String.self), try row.decode(column: "ransomware", as: Bool.self))
        }
        var records: [CVEApplicability] = []
        var facts: [CVEFacts] = []
        records.reserveCapacity(rows.count)
        for (id, row) in rows.sorted(by: { $0.key < $1.key }) {
            guard let stored = try? decoder.decode(StoredConfigurations.self, from: Data(row.configurations.utf8)),
                  let applicability = stored.applicability(id: id) else { continue }
            records.append(applicability)
            let listed = kev[id]
            facts.append(CVEFacts(score: row.score, published: row.published.flatMap { CalendarDay(String($0.prefix(10))) },
                                  exploitedSince: (listed?.0 ?? row.exploited).flatMap { CalendarDay(String($0.prefix(10))) }, ransomware: listed?.1 ?? false))
        }
        var products: [String: EndOfLifeProduct] = [:]
        for row in try await sql.raw("SELECT product, label, cpe_keys FROM kb_eol_products").all() {
            let name = try row.decode(column: "product", as: String.self)
            products[name] = EndOfLifeProduct(name: name, label: try row.decode(column: "label", as: String.self),
                                              cpeKeys: try row.decode(column: "cpe_keys", as: String.self).split(separator: " ").map(String.init), cycles: [])
        }
        for row in try await sql.raw("SELECT product, cycle, label, release_date, eol, latest, lts FROM kb_eol_cycles ORDER BY product, position").all() {
            let name = try row.decode(column: "product", as: String.self)
            guard let eol = EndOfLifeDate(try row.decode(column: "eol", as: String.self)) else { continue }
            products[name]?.cycles.append(.init(cycle: try row.decode(column: "cycle", as: String.self), label: try row.decode(column: "label", as: String.self),
                                                releaseDate: try row.decode(column: "release_date", as: String?.self).flatMap(CalendarDay.init), endOfLife: eol,
                                                latest: try row.decode(column: "latest", as: String?.self), longTerm: try row.decode(column: "lts", as: Bool.self)))
        }
        return KnowledgeBase(index: VulnerabilityIndex(records), facts: facts, endOfLife: EndOfLifeIndex(Array(products.values)), stamp: stamp)
    }

    /// Changes whenever an import is recorded or replaced.
    static func currentStamp(_ sql: any SQLDatabase) async throws -> String {
        let row = try await sql.raw("SELECT COUNT(*) AS n, MAX(imported_at) AS latest FROM kb_imports").first()
        let count = try row?.decode(column: "n", as: Int.self) ?? 0
        let latest = try row?.decode(column: "latest", as: Date?.self)
        return "\(count)@\(latest?.timeIntervalSince1970 ?? 0)"
    }
}

private struct KnowledgeBaseKey: StorageKey { typealias Value = NIOLockedValueBox<KnowledgeBase> }

extension Application {
    /// The knowledge base, reloaded when an import has changed it since it was last read.
    func knowledgeBase() async throws -> KnowledgeBase {
        let sql = try db.sqlDatabase
        let box: NIOLockedValueBox<KnowledgeBase>
        if let existing = storage[KnowledgeBaseKey.self] { box = existing } else {
            box = NIOLockedValueBox(.empty)
            storage[KnowledgeBaseKey.self] = box
        }
        let stamp = try await KnowledgeBase.currentStamp(sql)
        let cached = box.withLockedValue { $0 }
        if cached.stamp == stamp, stamp != "" { return cached }
        let fresh = try await KnowledgeBase.load(from: sql, stamp: stamp)
        box.withLockedValue { $0 = fresh }
        return fresh
    }
}
