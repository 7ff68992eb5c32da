import AssureCore
import Foundation

/// CVE matching on one core: 50,000 distinct (product, version) pairs against the 32k-CVE test
/// knowledge base (shared/data/nvd, NVD API 2.0 configurations). Target < 0.5 s.
enum MatchingBenchmarks {
    static func run(feed: String, pairs: Int) throws {
        guard FileManager.default.fileExists(atPath: feed) else { fatalError("no knowledge base at \(feed): pass --nvd FILE") }
        let loadStarted = ContinuousClock.now
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gunzip.arguments = ["gzip", "-dc", feed]
        let output = Pipe()
        gunzip.standardOutput = output
        try gunzip.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        let decoder = JSONDecoder()
        var records: [CVEApplicability] = []
        var refused = 0
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            switch try decoder.decode(NVDRecord.self, from: Data(line)).applicability() {
            case .success(let record): records.append(record)
            case .failure: refused += 1
            }
        }
        let index = VulnerabilityIndex(records)
        print("Knowledge base: \(records.count) CVEs (\(refused) refused) parsed and indexed in \(BenchmarkServer.ms(ContinuousClock.now - loadStarted))")

        // Distinct (product, version) pairs an estate would hold: the products the CVEs name, at
        // versions around their bounds (some affected, most not), the same every run.
        // Each product named once (so a product with thousands of CVEs is not drawn thousands of times).
        var byProduct: [String: (CPE, [String])] = [:]
        for record in records {
            for configuration in record.configurations {
                for node in configuration.nodes {
                    for match in node.matches where match.vulnerable {
                        let bounds = [match.versionEndExcluding, match.versionEndIncluding, match.versionStartIncluding].compactMap { $0 }
                        byProduct[match.criteria.key, default: (match.criteria, [])].1 += bounds.isEmpty ? [match.criteria.version] : bounds
                    }
                }
            }
        }
        let products = byProduct.keys.sorted().map { byProduct[$0]! }
        var generator = SeededGenerator(seed: 2_100_000)
        var seen = Set<CPE>()
        var inputs: [CPE] = []
        while inputs.count < pairs {
            let (criteria, bounds) = products[Int(generator.next() % UInt64(products.count))]
            let bound = bounds[Int(generator.next() % UInt64(bounds.count))]
            let version = bound == CPE.any || bound == CPE.notApplicable ? "\(generator.next() % 20).\(generator.next() % 10)" : bound + (generator.next() % 2 == 0 ? "" : ".\(generator.next() % 500)")
            let cpe = CPE(part: criteria.part, vendor: criteria.vendor, product: criteria.product, version: version, update: criteria.update)
            if seen.insert(cpe).inserted { inputs.append(cpe) }
        }
        var checks = 0
        for cpe in inputs { checks += index.entryCount(for: cpe) }
        print("Entries compared: \(checks)")
        let started = ContinuousClock.now
        var affected = 0, links = 0
        for cpe in inputs {
            let candidates = index.candidates(for: cpe)
            let hits = index.affecting(candidates: candidates)
            if !hits.isEmpty { affected += 1; links += hits.count }
        }
        let elapsed = ContinuousClock.now - started
        print("Products: \(products.count) distinct vendor:product names with vulnerable entries")
        print("Matching: \(inputs.count) distinct (product, version) pairs against \(records.count) CVEs on one core in \(BenchmarkServer.ms(elapsed)) — \(affected) pairs affected, \(links) (pair, CVE) matches — target < 500 ms")
    }
}
