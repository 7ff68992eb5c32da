import AssureCore
import Fluent
import Foundation
import SQLKit

/// Everything one assessment's pages, reports and exports show, read in a handful of queries:
/// results, targets, evidence counts per item, and the results of mapped items in the
/// organisation's latest assessment of each related framework.
struct AssessmentView {
    struct Mapped {
        var catalogue: FrameworkCatalogue
        var item: String
        var relationship: MappingRelationship
        var note: String
        var assessment: Assessment?
        var result: AssessmentResult?
    }

    var assessment: Assessment
    var catalogue: FrameworkCatalogue
    var results: [String: AssessmentResult]
    var targets: [String: String]
    var evidenceCounts: [String: Int]
    var expiredEvidence: [String: Int]
    var mapped: [String: [Mapped]]

    var items: [FrameworkCatalogue.Item] { catalogue.items }
    var gaps: [FrameworkCatalogue.Item] { items.filter { item in targets[item.id].map { catalogue.isBelow(results[item.id]?.level, target: $0) } ?? false } }
    /// Mandatory items without the catalogue's top level.
    var mandatoryNotMet: [FrameworkCatalogue.Item] { items.filter { $0.mandatory && results[$0.id]?.level != catalogue.levels.last?.id } }
    var counts: [(level: FrameworkCatalogue.Level, count: Int)] { catalogue.levels.map { level in (level, items.filter { results[$0.id]?.level == level.id }.count) } }
    var assessed: Int { items.filter { results[$0.id]?.level != nil }.count }
    var dsptStatus: DSPTStatus? {
        catalogue.id == "dspt-ndg" ? DSPTStatus.rollUp(items.map { ($0.mandatory, results[$0.id]?.level == "met") }) : nil
    }

    static func load(_ assessment: Assessment, frameworks: FrameworkLibrary, today: CalendarDay, on database: any Database) async throws -> AssessmentView {
        let catalogue = try frameworks.requireCatalogue(of: assessment)
        let id = try assessment.requireID()
        let results = Dictionary(try await AssessmentResult.query(on: database).filter(\.$assessment.$id == id).all().map { ($0.itemID, $0) },
                                 uniquingKeysWith: { first, _ in first })
        var counts: [String: Int] = [:], expired: [String: Int] = [:]
        do {
            let rows = try await database.sqlDatabase.raw("""
                SELECT a.item_id, COUNT(*) AS n, COALESCE(SUM(CASE WHEN e.review_by < \(bind: today.description) THEN 1 ELSE 0 END), 0) AS expired
                FROM evidence_attachments a JOIN evidence e ON e.id = a.evidence_id WHERE a.assessment_id = \(bind: id) GROUP BY a.item_id
                """).all()
            for row in rows {
                let item = try row.decode(column: "item_id", as: String.self)
                counts[item] = try row.decode(column: "n", as: Int.self)
                expired[item] = try row.decode(column: "expired", as: Int.self)
            }
        }
        let mapped = try await mappedResults(catalogue, organisation: assessment.$organisation.id, frameworks: frameworks, on: database)
        return AssessmentView(assessment: assessment, catalogue: catalogue, results: results, targets: assessment.targets, evidenceCounts: counts,
                              expiredEvidence: expired, mapped: mapped)
    }

    /// Per item, what the organisation's latest assessment of each related framework says.
    static func mappedResults(_ catalogue: FrameworkCatalogue, organisation: UUID, frameworks: FrameworkLibrary,
                              on database: any Database) async throws -> [String: [Mapped]] {
        let related = Dictionary(grouping: catalogue.items.flatMap { item in frameworks.related(to: item.id, in: catalogue.key).map { (item.id, $0) } }, by: \.0)
        let keys = Set(related.values.flatMap { $0.map(\.1.catalogue) })
        guard !keys.isEmpty else { return [:] }
        let ids = Set(keys.compactMap { $0.split(separator: "@").first.map(String.init) })
        let assessments = try await Assessment.query(on: database).filter(\.$organisation.$id == organisation).filter(\.$frameworkID ~~ Array(ids))
            .sort(\.$number, .descending).all()
        var latest: [String: Assessment] = [:]
        for assessment in assessments where latest["\(assessment.frameworkID)@\(assessment.frameworkVersion)"] == nil {
            latest["\(assessment.frameworkID)@\(assessment.frameworkVersion)"] = assessment
        }
        let latestIDs = latest.values.compactMap(\.id)
        var results: [UUID: [String: AssessmentResult]] = [:]
        if !latestIDs.isEmpty {
            for result in try await AssessmentResult.query(on: database).filter(\.$assessment.$id ~~ latestIDs).all() {
                results[result.$assessment.id, default: [:]][result.itemID] = result
            }
        }
        return related.mapValues { entries in
            entries.compactMap { _, link in
                guard let other = frameworks.find(link.catalogue) else { return nil }
                let assessment = latest[link.catalogue]
                return Mapped(catalogue: other, item: link.item, relationship: link.relationship, note: link.note, assessment: assessment,
                              result: assessment.flatMap { $0.id }.flatMap { results[$0]?[link.item] })
            }
        }
    }
}
