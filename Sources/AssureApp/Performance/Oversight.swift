import AssureCore
import Foundation
import SQLKit
import Vapor

/// Which slice of an oversight population to rank, read from the query string; a value that is
/// not one of the choices is a 400 naming the field.
struct OversightFilter: Equatable {
    static let pageSize = 100

    var indicator = KeyIndicator.risksAboveAppetite
    var type: OrganisationType?
    var rating: RAGRating?
    var page = 1

    static func read(from req: Request) throws -> OversightFilter {
        var filter = OversightFilter()
        var problems: [RuleError] = []
        func value(_ name: String) -> String? {
            (try? req.query.get(String.self, at: name)).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let raw = value("indicator") {
            if let indicator = KeyIndicator(rawValue: raw) { filter.indicator = indicator } else {
                problems.append(RuleError(field: "indicator", message: "Unknown indicator '\(raw.prefix(60))'; use one of \(KeyIndicator.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if let raw = value("type"), raw != "all" {
            if let type = OrganisationType(rawValue: raw) { filter.type = type } else {
                problems.append(RuleError(field: "type", message: "Unknown organisation type '\(raw.prefix(60))'"))
            }
        }
        if let raw = value("rating"), raw != "all" {
            if let rating = RAGRating(rawValue: raw) { filter.rating = rating } else {
                problems.append(RuleError(field: "rating", message: "Rating must be red, amber, green, not-measured or all"))
            }
        }
        if let raw = value("page") {
            if let page = Int(raw), page >= 1, page <= 100_000 { filter.page = page } else {
                problems.append(RuleError(field: "page", message: "Page must be a whole number from 1"))
            }
        }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        return filter
    }

    var queryItems: [(String, String)] {
        [("indicator", indicator.rawValue)] + (type.map { [("type", $0.rawValue)] } ?? []) + (rating.map { [("rating", $0.rawValue)] } ?? [])
    }
}

/// An oversight population, summarised and ranked: the organisations below an ICB or region, or
/// every organisation in the country.
struct Oversight {
    /// One organisation's place in the ranking for the chosen indicator.
    struct Ranked {
        var member: OversightMember
        var rating: RAGRating
        var outlier: Bool
        /// Among organisations of the same type in this population, 0–100, higher better.
        var peerPercentile: Int?
    }

    var scopeCode: String?
    var scopeName: String
    var members: [OversightMember]
    var population: PopulationFigures
    var distributions: [KeyIndicator: Distribution]
    var trend: [(day: String, figures: PopulationFigures)]

    init(scopeCode: String?, scopeName: String, members: [OversightMember], trend: [(day: String, figures: PopulationFigures)]) {
        self.scopeCode = scopeCode
        self.scopeName = scopeName
        self.members = members
        self.trend = trend
        population = PopulationFigures(members.map(\.values))
        var distributions: [KeyIndicator: Distribution] = [:]
        for indicator in KeyIndicator.allCases { distributions[indicator] = Distribution(members.compactMap { $0.values[indicator] }) }
        self.distributions = distributions
    }

    static func load(below organisation: OrganisationRecord?, on sql: any SQLDatabase) async throws -> Oversight {
        let scope = organisation?.odsCode ?? OversightQuery.national
        return Oversight(scopeCode: organisation?.odsCode, scopeName: organisation?.name ?? "England",
                         members: try await OversightQuery.members(below: organisation?.odsCode, on: sql),
                         trend: try await OversightQuery.trend(of: scope, on: sql))
    }

    /// The latest snapshot day among the members, for "as at".
    var latestDay: String? { members.compactMap(\.day).max() }

    /// Worst first on the chosen indicator, unmeasured last, then by name; filtered by type and rating.
    /// (Members are read in name order.)
    func ranked(_ filter: OversightFilter) -> [OversightMember] {
        let indicator = filter.indicator
        let chosen = members.filter { member in
            (filter.type == nil || member.type == filter.type) && (filter.rating == nil || indicator.rating(member.values[indicator]) == filter.rating)
        }
        // Members arrive in name order; ties keep it. Keys are worked out once, not per comparison.
        let keys = chosen.enumerated().map { index, member -> (Double, Int) in
            guard let value = member.values[indicator] else { return (.infinity, index) }
            return (indicator.higherIsBetter ? value : -value, index)
        }
        return keys.sorted { $0 < $1 }.map { chosen[$0.1] }
    }

    typealias Peers = [OrganisationType: [KeyIndicator: PeerGroup]]

    /// Each type's figures per indicator, sorted once for percentiles.
    var peers: Peers {
        var values: [OrganisationType: [KeyIndicator: [Double]]] = [:]
        for member in members {
            for indicator in KeyIndicator.allCases {
                if let value = member.values[indicator] { values[member.type, default: [:]][indicator, default: []].append(value) }
            }
        }
        return values.mapValues { $0.mapValues(PeerGroup.init) }
    }

    func rank(_ member: OversightMember, _ indicator: KeyIndicator, peers: Peers) -> Ranked {
        let value = member.values[indicator]
        return Ranked(member: member, rating: indicator.rating(value),
                      outlier: value.map { distributions[indicator]?.isOutlier($0, higherIsBetter: indicator.higherIsBetter) ?? false } ?? false,
                      peerPercentile: value.flatMap { peers[member.type]?[indicator]?.percentile(of: $0, higherIsBetter: indicator.higherIsBetter) })
    }

    /// Every member with every indicator's figure, rating and peer percentile, for CSV and the API.
    func table() -> [(member: OversightMember, indicators: [(KeyIndicator, Ranked)])] {
        let peers = self.peers
        return members.sorted { ($0.type.rawValue, $0.name, $0.odsCode) < ($1.type.rawValue, $1.name, $1.odsCode) }.map { member in
            (member, KeyIndicator.allCases.map { ($0, rank(member, $0, peers: peers)) })
        }
    }
}

extension Request {
    /// National oversight: the oversight role (or system administration) in every region at the
    /// top of the tree, since the page shows every organisation in the country.
    func authoriseNationalOversight() async throws -> Identity {
        let identity = try requireIdentity()
        let roots = try await self.sql.raw("SELECT ods_code FROM organisations WHERE parent_id IS NULL").all().map { try $0.decode(column: "ods_code", as: String.self) }
        let held = roots.filter { AccessPolicy.allows(identity.memberships, .readRollUp, on: $0, ancestors: []) }
        guard held.count == roots.count else {
            throw AssureError(status: .forbidden, title: "Not permitted",
                              detail: "National oversight needs the oversight role in every organisation at the top of the tree (\(roots.count) regions); you hold it in \(held.count). Open the oversight page of your region or ICB instead.")
        }
        return identity
    }
}
