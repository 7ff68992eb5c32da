import AssureCore
import Fluent
import Foundation
import SQLKit

/// An organisation's latest assessment in one compliance family, with the level recorded for
/// each item, and what falls short of the targets.
struct LatestAssessment: Sendable {
    let assessment: Assessment
    let catalogue: FrameworkCatalogue?
    /// Item id → level, for the items that have one.
    let levels: [String: String]

    var gaps: (belowTarget: [FrameworkCatalogue.Item], mandatoryNotMet: [FrameworkCatalogue.Item])? {
        catalogue.map { $0.gaps(results: levels, targets: assessment.targets) }
    }
}

/// The one reading of "each organisation's latest DSPT and CAF" (ComplianceFamily's rule) for
/// the dashboard, the key indicators, the board pack and the positions page.
enum LatestAssessments {
    /// Each organisation's latest assessment per family, in one statement per 2,000 organisations.
    static func assessments(of organisations: [UUID], on database: any Database) async throws -> [UUID: [ComplianceFamily: Assessment]] {
        var found: [UUID: [Assessment]] = [:]
        for chunk in organisations.chunks(of: 2000) {
            for assessment in try await Assessment.query(on: database).filter(\.$organisation.$id ~~ chunk)
                .filter(\.$frameworkID ~~ ComplianceFamily.allFrameworks).all() {
                found[assessment.$organisation.id, default: []].append(assessment)
            }
        }
        return found.mapValues { ComplianceFamily.latest($0, framework: \.frameworkID, number: \.number) }
    }

    /// The same with each assessment's recorded levels: one more statement per 1,000 assessments.
    static func read(of organisations: [UUID], frameworks: FrameworkLibrary, on database: any Database) async throws -> [UUID: [ComplianceFamily: LatestAssessment]] {
        let latest = try await assessments(of: organisations, on: database)
        let ids = latest.values.flatMap { $0.values.compactMap(\.id) }
        var levels: [UUID: [String: String]] = [:]
        let sql = try database.sqlDatabase
        for chunk in ids.chunks(of: 1000) {
            for row in try await sql.raw("SELECT assessment_id, item_id, level FROM assessment_results WHERE level IS NOT NULL AND assessment_id IN (\(binds: chunk))").all() {
                levels[try row.decode(column: "assessment_id", as: UUID.self), default: [:]][try row.decode(column: "item_id", as: String.self)] =
                    try row.decode(column: "level", as: String.self)
            }
        }
        return latest.mapValues { families in
            families.mapValues { assessment in
                LatestAssessment(assessment: assessment, catalogue: frameworks.find("\(assessment.frameworkID)@\(assessment.frameworkVersion)"),
                                 levels: assessment.id.flatMap { levels[$0] } ?? [:])
            }
        }
    }
}
