import AssureCore
import Fluent
import Foundation
import Plot
import SQLKit
import Vapor

/// An ICB's or region's view of the DSPT and CAF positions of every organisation below it that the
/// reader may see: each organisation's latest assessment of each, counted in a few grouped queries.
struct CompliancePositions {
    struct Position: Content {
        var reference: String
        var framework: String
        var period: String
        var items: Int
        var assessed: Int
        var at_top_level: Int
        var mandatory: Int
        var mandatory_met: Int
        /// The DSPT status, for the DSPT on the NDG standards.
        var status: String?
    }

    struct Row: Content {
        var ods_code: String
        var name: String
        var type: String
        var dspt: Position?
        var caf: Position?
    }

    static func load(_ context: OrganisationContext, frameworks: FrameworkLibrary, on database: any Database) async throws -> [Row] {
        let sql = try database.sqlDatabase
        let visible = [(context.organisation, [String]())] + (try await context.readableDescendants()).map { ($0.record, $0.above) }
        let byID = Dictionary(visible.map { ($0.0.id, $0.0) }, uniquingKeysWith: { first, _ in first })
        let latest = try await LatestAssessments.assessments(of: visible.map(\.0.id), on: database)
        let chosen = latest.values.flatMap(\.values)
        var positions: [UUID: Position] = [:]
        // One grouped query per framework version: its top level and mandatory items differ.
        for (key, group) in Dictionary(grouping: chosen, by: { "\($0.frameworkID)@\($0.frameworkVersion)" }) {
            guard let catalogue = frameworks.find(key), let top = catalogue.levels.last?.id else { continue }
            let mandatory = catalogue.items.filter(\.mandatory).map(\.id)
            let ids = group.compactMap(\.id)
            let mandatoryClause: SQLQueryString = mandatory.isEmpty ? "0" : "CASE WHEN r.item_id IN (\(binds: mandatory)) AND r.level = \(bind: top) THEN 1 ELSE 0 END"
            let rows = try await sql.raw("""
                SELECT r.assessment_id, COUNT(r.level) AS assessed, COALESCE(SUM(CASE WHEN r.level = \(bind: top) THEN 1 ELSE 0 END), 0) AS top,
                       COALESCE(SUM(\(mandatoryClause)), 0) AS mandatory_met
                FROM assessment_results r WHERE r.assessment_id IN (\(binds: ids)) GROUP BY r.assessment_id
                """).all()
            var figures: [UUID: (Int, Int, Int)] = [:]
            for row in rows {
                figures[try row.decode(column: "assessment_id", as: UUID.self)] = (try row.decode(column: "assessed", as: Int.self),
                                                                                   try row.decode(column: "top", as: Int.self),
                                                                                   try row.decode(column: "mandatory_met", as: Int.self))
            }
            for assessment in group {
                guard let id = assessment.id else { continue }
                let (assessed, atTop, mandatoryMet) = figures[id] ?? (0, 0, 0)
                let status = catalogue.id == "dspt-ndg"
                    ? DSPTStatus.rollUp(mandatoryMet: mandatoryMet, mandatory: mandatory.count, met: atTop, items: catalogue.items.count).displayName : nil
                positions[id] = Position(reference: assessment.reference, framework: key, period: assessment.period, items: catalogue.items.count,
                                         assessed: assessed, at_top_level: atTop, mandatory: mandatory.count, mandatory_met: mandatoryMet, status: status)
            }
        }
        return visible.map(\.0).map { organisation in
            let entry = latest[organisation.id]
            return Row(ods_code: organisation.odsCode, name: byID[organisation.id]?.name ?? organisation.name, type: organisation.type.displayName,
                       dspt: entry?[.dspt]?.id.flatMap { positions[$0] }, caf: entry?[.caf]?.id.flatMap { positions[$0] })
        }
    }
}

enum CompliancePositionsPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let rows = try await CompliancePositions.load(context, frameworks: req.frameworks, on: req.db)
        let code = context.organisation.odsCode
        func cell(_ position: CompliancePositions.Position?, organisation: String) -> Node<HTML.TableRowContext> {
            guard let position else { return .td(.text("No assessment")) }
            return .td(.a(.href(SiteURL.assessment(organisation, position.reference).path), .text("\(position.framework) \(position.period)")),
                       .br(),
                       .text(position.status ?? "\(position.at_top_level) of \(position.items) at the top level"),
                       .if(position.mandatory > 0, .group(.br(), .text("Mandatory met: \(position.mandatory_met) of \(position.mandatory)"))),
                       .if(position.mandatory_met < position.mandatory, .span(.class("tag tag--red"), .text("Mandatory gaps"))))
        }
        let content: Node<HTML.BodyContext> = .group(
            .h1(.text("DSPT and CAF positions")),
            .p(.class("lede"), .text("The latest DSPT and NCSC CAF assessment of \(context.organisation.name) and each organisation below it that you may see.")),
            rows.count <= 1 && rows.first?.dspt == nil && rows.first?.caf == nil
                ? Components.emptyState(title: "No positions yet", message: "No organisation here has a DSPT or CAF assessment yet.", actions: [])
                : Components.scrollableTable(label: "Positions", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Organisation")), .th(.text("Type")), .th(.text("DSPT")), .th(.text("NCSC CAF")))),
                    .tbody(.forEach(rows) { row in
                        .tr(.td(.a(.href(SiteURL.assessments(row.ods_code).path), .text("\(row.name) (\(row.ods_code))"))), .td(.text(row.type)),
                            cell(row.dspt, organisation: row.ods_code), cell(row.caf, organisation: row.ods_code))
                    })))
        )
        let shell = context.shell("DSPT and CAF positions", crumbs: [.init(title: "Compliance", url: .assessments(code))], section: .compliance)
        return Layout.response(shell, content)
    }
}
