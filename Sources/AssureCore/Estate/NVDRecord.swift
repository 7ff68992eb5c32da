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

    enum CodingKeys: String, CodingKey { case id, configurations, cve }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.cve) {
            self = try container.decode(NVDRecord.self, forKey: .cve)
            return
        }
        id = try container.decode(String.self, forKey: .id)
        configurations = try container.decodeIfPresent([Configuration].self, forKey: .configurations) ?? []
    }

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
