import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

extension RiskMatrix: Content {}

/// `/api/v1/organisations/{code}/risks…`: the register for other systems, with the same rules,
/// permissions and audit as the pages.
struct RiskAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.risks(SiteURL.code)), .listRisks, use: list)
        routes.api(.POST, .api(.risks(SiteURL.code)), .createRisk, use: create)
        routes.api(.GET, .api(.heatMap(SiteURL.code)), .riskHeatMap, use: heatMap)
        routes.api(.POST, .api(.importRisks(SiteURL.code)), .importRisks, body: .stream, use: importCSV)
        routes.api(.GET, .api(.risk(SiteURL.code, SiteURL.riskReference)), .readRisk, use: read)
        routes.api(.PUT, .api(.risk(SiteURL.code, SiteURL.riskReference)), .replaceRisk, use: replace)
        routes.api(.POST, .api(.riskReview(SiteURL.code, SiteURL.riskReference)), .reviewRisk, use: review)
        for (action, operation) in [(SiteURL.RiskPageAction.controls, APIOperation.riskControls), (.actions, .riskActions), (.actionStatus, .riskActionStatus)] {
            routes.api(.POST, .api(.riskChange(SiteURL.code, SiteURL.riskReference, action)), operation) { req in try await change(action, req) }
        }
        routes.api(.GET, .api(.riskSettings(SiteURL.code)), .riskSettings, use: settings)
        routes.api(.PUT, .api(.riskSettings(SiteURL.code)), .saveRiskSettings, use: saveSettings)
        routes.api(.GET, .api(.riskMatrices(SiteURL.code)), .riskMatrices, use: matrices)
        routes.api(.PUT, .api(.riskMatrices(SiteURL.code)), .saveRiskMatrix, use: saveMatrix)
    }

    struct RiskList: Content {
        var total: Int
        var page: Int
        var page_size: Int
        var items: [RiskRow]
    }

    struct RiskDTO: Content {
        struct Control: Content { var description: String; var effectiveness: String }
        struct Action: Content { var id: UUID?; var description: String; var owner: String; var due: String; var status: String }
        struct ScoreChange: Content { var changed_at: Date; var actor: String; var likelihood: Int; var consequence: Int; var score: Int; var rationale: String }

        var reference: String
        var fields: RiskDraft.Input
        var matrix: String
        var initial_score: Int
        var current_score: Int
        var target_score: Int
        var band: String?
        var above_appetite: Bool
        var escalated: Bool
        var gaps_in_control: String
        var gaps_in_assurance: String
        var last_reviewed: String
        var next_review: String
        var controls: [Control]
        var actions: [Action]
        var history: [ScoreChange]
    }

    struct Change: Content {
        var rationale: String?
        var gaps_in_control: String?
        var gaps_in_assurance: String?
    }

    /// A risk's fields and the change's own (why, gaps) in one body.
    struct Update: Decodable {
        var input: RiskDraft.Input
        var change: Change

        init(from decoder: any Decoder) throws {
            input = try RiskDraft.Input(from: decoder)
            change = try Change(from: decoder)
        }
    }

    struct Review: Content {
        var current_likelihood: String?
        var current_consequence: String?
        var rationale: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            current_likelihood = try RiskDraft.Input.text(container, .current_likelihood)
            current_consequence = try RiskDraft.Input.text(container, .current_consequence)
            rationale = try container.decodeIfPresent(String.self, forKey: .rationale)
        }
    }

    func list(req: Request) async throws -> RiskList {
        let context = try await req.riskContext(.read)
        let sql = try req.db.sqlDatabase
        let filter = try RiskFilter.read(from: req)
        let result = try await RiskQuery.rows(filter, organisation: context.organisation.id, settings: context.settings, matrix: context.matrix,
                                              today: context.today, limit: RiskFilter.pageSize, on: sql)
        return RiskList(total: result.total, page: filter.page, page_size: RiskFilter.pageSize, items: result.rows)
    }

    func create(req: Request) async throws -> Created<RiskDTO> {
        let context = try await req.riskContext(.createRecord)
        let risk = try await context.register.create(try req.decodeJSON(RiskDraft.Input.self))
        return Created(try await Self.dto(risk, context, on: req.db), at: .api(.risk(context.organisation.odsCode, risk.reference)))
    }

    func read(req: Request) async throws -> RiskDTO {
        let context = try await req.riskContext(.read)
        return try await Self.dto(try await context.register.find(try req.riskReference), context, on: req.db)
    }

    func replace(req: Request) async throws -> RiskDTO {
        let context = try await req.riskContext(.read)
        let risk = try await context.register.find(try req.riskReference)
        try context.requireChange(risk)
        let update = try req.decodeJSON(Update.self)
        let input = update.input, change = update.change
        let updated = try await context.register.update(risk, input, rationale: change.rationale ?? "", gapsInControl: change.gaps_in_control ?? risk.gapsInControl,
                                                        gapsInAssurance: change.gaps_in_assurance ?? risk.gapsInAssurance)
        return try await Self.dto(updated, context, on: req.db)
    }

    func review(req: Request) async throws -> RiskDTO {
        let context = try await req.riskContext(.read)
        let risk = try await context.register.find(try req.riskReference)
        try context.requireChange(risk)
        let body = try req.decodeJSON(Review.self)
        let updated = try await context.register.review(risk, likelihood: body.current_likelihood ?? "", consequence: body.current_consequence ?? "",
                                                        rationale: body.rationale ?? "")
        return try await Self.dto(updated, context, on: req.db)
    }

    struct ImportResult: Content { var imported: Int }

    /// `text/csv`; `map_<field>=Column` in the query maps the file's columns to fields.
    func importCSV(req: Request) async throws -> Created<ImportResult> {
        let context = try await req.riskContext(.editAnyRecord)
        guard req.headers.contentType?.type == "text", req.headers.contentType?.subType == "csv" else {
            throw Abort(.unsupportedMediaType, reason: "Send the risks as text/csv with a header line")
        }
        let mapping = RiskImport.mapping(from: (try? req.query.decode([String: String].self)) ?? [:])
        let count = try await context.register.importFile(try await req.utf8Body(max: 10 * 1_048_576), mapping: mapping)
        return Created(ImportResult(imported: count))
    }

    /// Controls, actions and action status, with the same fields as the risk page's forms.
    func change(_ action: SiteURL.RiskPageAction, _ req: Request) async throws -> RiskDTO {
        let context = try await req.riskContext(.read)
        let risk = try await context.register.find(try req.riskReference)
        try await RiskChanges.perform(action, on: risk, form: try RiskChangeBody.form(action, from: req), context: context)
        return try await Self.dto(risk, context, on: req.db)
    }

    struct HeatMapDTO: Content {
        struct Cell: Content { var likelihood: Int; var consequence: Int; var score: Int; var band: String?; var current: Int; var target: Int }
        var matrix: String
        var total: Int
        var cells: [Cell]
    }

    func heatMap(req: Request) async throws -> HeatMapDTO {
        let context = try await req.riskContext(.read)
        let sql = try req.db.sqlDatabase
        let map = try await RiskQuery.heatMap(organisation: context.organisation.id, matrix: context.matrix, on: sql)
        return HeatMapDTO(matrix: context.matrix.key, total: map.total, cells: map.rows.joined().map { rating in
            let score = context.matrix.score(likelihood: rating.likelihood, consequence: rating.consequence) ?? 0
            return .init(likelihood: rating.likelihood, consequence: rating.consequence, score: score, band: context.matrix.band(for: score)?.key,
                         current: map.current[rating] ?? 0, target: map.target[rating] ?? 0)
        })
    }

    struct SettingsDTO: Content {
        var matrix: String
        var appetite: [String: Int]
        var escalation_threshold: Int
    }

    func settings(req: Request) async throws -> SettingsDTO {
        let context = try await req.riskContext(.read)
        return SettingsDTO(matrix: context.settings.matrixKey, appetite: Dictionary(uniqueKeysWithValues: context.settings.appetite.map { ($0.key.rawValue, $0.value) }),
                           escalation_threshold: context.settings.escalationThreshold)
    }

    func saveSettings(req: Request) async throws -> SettingsDTO {
        let context = try await req.riskContext(.manageSettings)
        let body = try req.decodeJSON(SettingsDTO.self)
        var appetite: [RiskCategory: Int] = [:]
        var problems: [RuleError] = []
        for (key, value) in body.appetite {
            if let category = RiskCategory(rawValue: key) { appetite[category] = value }
            else { problems.append(RuleError(field: "appetite", message: "Unknown category '\(key)'")) }
        }
        if !problems.isEmpty { throw AssureError.invalid(problems) }
        try await context.register.saveSettings(RiskSettings(matrixKey: body.matrix, appetite: appetite, escalationThreshold: body.escalation_threshold))
        return try await settings(req: req)
    }

    struct MatrixList: Content { var matrices: [RiskMatrix] }

    func matrices(req: Request) async throws -> MatrixList {
        let context = try await req.riskContext(.read)
        return MatrixList(matrices: try await context.register.matrices())
    }

    func saveMatrix(req: Request) async throws -> RiskMatrix {
        let context = try await req.riskContext(.manageSettings)
        let matrix = try req.decodeJSON(RiskMatrix.self)
        try await context.register.saveMatrix(matrix)
        return matrix
    }

    static func dto(_ risk: Risk, _ context: RiskContext, on db: any Database) async throws -> RiskDTO {
        let id = try risk.requireID()
        let matrix = try await context.register.matrix(risk.matrixKey)
        var fields = risk.draftInput
        if fields.handler == "" { fields.handler = nil }
        return RiskDTO(
            reference: risk.reference, fields: fields, matrix: risk.matrixKey, initial_score: risk.initialScore, current_score: risk.currentScore,
            target_score: risk.targetScore, band: matrix.band(for: risk.currentScore)?.key,
            above_appetite: context.settings.isAboveAppetite(score: risk.currentScore, category: risk.riskCategory),
            escalated: context.settings.isEscalated(score: risk.currentScore), gaps_in_control: risk.gapsInControl, gaps_in_assurance: risk.gapsInAssurance,
            last_reviewed: risk.lastReviewed, next_review: risk.nextReview,
            controls: try await RiskControl.query(on: db).filter(\.$risk.$id == id).sort(\.$createdAt).all().map { .init(description: $0.description, effectiveness: $0.effectiveness) },
            actions: try await RiskAction.query(on: db).filter(\.$risk.$id == id).sort(\.$due).all().map {
                .init(id: $0.id, description: $0.description, owner: $0.ownerEmail, due: $0.due, status: $0.status)
            },
            history: try await RiskScoreChange.query(on: db).filter(\.$risk.$id == id).sort(\.$changedAt).all().map {
                .init(changed_at: $0.changedAt, actor: $0.actor, likelihood: $0.likelihood, consequence: $0.consequence, score: $0.score, rationale: $0.rationale)
            })
    }
}
