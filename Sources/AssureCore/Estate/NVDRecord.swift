import Foundation

/// The parts of an NVD CVE API 2.0 record Assure uses: the id and its configurations. Decodes a
/// record as the API nests it (`cve.configurations`) or flat (`configurations` beside `id`).
public struct NVDRecord: Decodable, Sendable {
    public struct Match: Decodable, Sendable {
        public var criteria: String
        public var vulnerable: Bool
        public var versionStartIncluding: String?
        public var versionStartExcluding: String?
        public var versionEndIncluding: String?
        public var versionEndExcluding: String?
    }

    public struct Node: Decodable, Sendable {
        public var operator_: String?
        public var negate: Bool?
        public var cpeMatch: [Match]
        enum CodingKeys: String, CodingKey { case operator_ = "operator", negate, cpeMatch }
    }

    public struct Configuration: Decodable, Sendable {
        public var operator_: String?
        public var nodes: [Node]
        enum CodingKeys: String, CodingKey { case operator_ = "operator", nodes }
    }

    public var id: String
    public var configurations: [Configuration]
    public var published: String?
    public var description: String?
    public var scores: [CVEScore]
    /// The day CISA added it to the KEV catalogue, which NVD copies into its records.
    public var exploitedSince: String?

    enum CodingKeys: String, CodingKey { case id, configurations, cve, published, description, descriptions, metrics, cisaExploitAdd, baseScore, cvss31 }

    private struct Description: Decodable { var lang: String?; var value: String }
    private struct Metric: Decodable {
        struct Data: Decodable { var version: String?; var baseScore: Double; var baseSeverity: String?; var vectorString: String? }
        var cvssData: Data
        var baseSeverity: String?
        var type: String?
    }
    private struct Metrics: Decodable {
        var cvssMetricV40: [Metric]?
        var cvssMetricV31: [Metric]?
        var cvssMetricV30: [Metric]?
        var cvssMetricV2: [Metric]?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.cve) {
            self = try container.decode(NVDRecord.self, forKey: .cve)
            return
        }
        id = try container.decode(String.self, forKey: .id)
        configurations = try container.decodeIfPresent([Configuration].self, forKey: .configurations) ?? []
        published = try container.decodeIfPresent(String.self, forKey: .published)
        exploitedSince = try container.decodeIfPresent(String.self, forKey: .cisaExploitAdd)
        if let text = try? container.decodeIfPresent(String.self, forKey: .description) {
            description = text
        } else {
            description = (try container.decodeIfPresent([Description].self, forKey: .descriptions))?.first { ($0.lang ?? "en").hasPrefix("en") }?.value
        }
        let metrics = try container.decodeIfPresent(Metrics.self, forKey: .metrics)
        // The primary (NVD's own) score first where a source gives several.
        func scores(_ list: [Metric]?, _ version: String) -> [CVEScore] {
            (list ?? []).sorted { ($0.type == "Primary" ? 0 : 1) < ($1.type == "Primary" ? 0 : 1) }.prefix(1).map {
                CVEScore(version: $0.cvssData.version ?? version, score: $0.cvssData.baseScore,
                         severity: $0.cvssData.baseSeverity ?? $0.baseSeverity ?? "", vector: $0.cvssData.vectorString ?? "")
            }
        }
        self.scores = scores(metrics?.cvssMetricV40, "4.0") + scores(metrics?.cvssMetricV31, "3.1") + scores(metrics?.cvssMetricV30, "3.0")
            + scores(metrics?.cvssMetricV2, "2.0")
        // Transcribed records give the v3.1 score and vector flat.
        if self.scores.isEmpty, let base = try container.decodeIfPresent(Double.self, forKey: .baseScore) {
            self.scores = [CVEScore(version: "3.1", score: base, severity: Severity(score: base).name.uppercased(),
                                    vector: try container.decodeIfPresent(String.self, forKey: .cvss31) ?? "")]
        }
    }

    public var bestScore: CVEScore? { CVEScore.preferred(scores) }

    /// The record as Assure matches it; a criteria that is not a CPE 2.3 name is reported with its place.
    public func applicability() -> Result<CVEApplicability, CPE.Problem> {
        var configurations: [CVEApplicability.Configuration] = []
        for (c, configuration) in self.configurations.enumerated() {
            var nodes: [CVEApplicability.Node] = []
            for (n, node) in configuration.nodes.enumerated() {
                var matches: [CPEMatch] = []
                for (m, match) in node.cpeMatch.enumerated() {
                    let criteria: CPE
                    do { criteria = try CPE(match.criteria) } catch {
                        return .failure(CPE.Problem(message: "\(id) configurations[\(c)].nodes[\(n)].cpeMatch[\(m)].criteria: \(error.message)"))
                    }
                    matches.append(CPEMatch(criteria: criteria, vulnerable: match.vulnerable, versionStartIncluding: match.versionStartIncluding,
                                            versionStartExcluding: match.versionStartExcluding, versionEndIncluding: match.versionEndIncluding,
                                            versionEndExcluding: match.versionEndExcluding))
                }
                nodes.append(.init(and: node.operator_?.uppercased() == "AND", negate: node.negate ?? false, matches: matches))
            }
            configurations.append(.init(and: configuration.operator_?.uppercased() == "AND", nodes: nodes))
        }
        return .success(CVEApplicability(id: id, configurations: configurations))
    }
}
