import AssureCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/organisations/{code}/baf…`: the Board Assurance Framework for other systems.
struct BoardAssuranceAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.baf(SiteURL.code)), .boardAssuranceFramework, use: read)
        routes.api(.POST, .api(.objectives(SiteURL.code)), .createObjective, use: create)
        for action in SiteURL.ObjectiveAction.allCases {
            routes.api(.POST, .api(.objectiveAction(SiteURL.code, SiteURL.objectiveReference, action)), .objective(action)) { req in try await act(action, req) }
        }
    }

    struct Framework: Content {
        struct Objective: Content {
            struct Source: Content { var line: Int; var description: String; var outcome: String; var reported: String }
            struct PrincipalRisk: Content {
                var reference: String; var title: String; var current_score: Int; var target_score: Int; var above_appetite: Bool
                var gaps_in_control: String; var gaps_in_assurance: String
                var controls: [RiskAPI.RiskDTO.Control]; var actions: [RiskAPI.RiskDTO.Action]
            }
            var reference: String; var title: String; var description: String; var lead: String; var committee: String
            var assurance: String; var assurance_rationale: String; var suggested_assurance: String
            var principal_risks: [PrincipalRisk]; var sources: [Source]
        }
        var organisation: String
        var as_at: String
        var objectives: [Objective]
        var escalated_not_linked: [String]
    }

    func read(req: Request) async throws -> Framework {
        let context = try await req.riskContext(.read)
        let views = try await ObjectiveView.all(in: context.organisation, on: req.db)
        let linked = Set(views.flatMap { $0.risks.compactMap(\.id) })
        let escalated = try await Risk.query(on: req.db).filter(\.$organisation.$id == context.organisation.id).filter(\.$status ~~ RiskSQL.liveStatuses)
            .filter(\.$currentScore >= context.settings.escalationThreshold).sort(\.$number).all().filter { !linked.contains($0.id!) }
        return Framework(organisation: context.organisation.odsCode, as_at: context.today.description, objectives: views.map { view in
            .init(reference: view.objective.reference, title: view.objective.title, description: view.objective.description, lead: view.objective.leadEmail,
                  committee: view.objective.committee, assurance: view.objective.assurance, assurance_rationale: view.objective.assuranceRationale,
                  suggested_assurance: view.suggested.rawValue,
                  principal_risks: view.risks.map { risk in
                      .init(reference: risk.reference, title: risk.title, current_score: risk.currentScore, target_score: risk.targetScore,
                            above_appetite: context.settings.isAboveAppetite(score: risk.currentScore, category: risk.riskCategory),
                            gaps_in_control: risk.gapsInControl, gaps_in_assurance: risk.gapsInAssurance,
                            controls: (view.controls[risk.id!] ?? []).map { .init(description: $0.description, effectiveness: $0.effectiveness) },
                            actions: (view.actions[risk.id!] ?? []).map { .init(id: $0.id, description: $0.description, owner: $0.ownerEmail, due: $0.due, status: $0.status) })
                  },
                  sources: view.sources.map { .init(line: $0.line, description: $0.description, outcome: $0.outcome, reported: $0.reported) })
        }, escalated_not_linked: escalated.map(\.reference))
    }

    func create(req: Request) async throws -> Created<Framework> {
        let context = try await req.riskContext(.editAnyRecord)
        let objective = try await BoardAssuranceChanges(register: context.register).createObjective(try req.decodeJSON(BoardAssuranceChanges.ObjectiveInput.self))
        return Created(try await read(req: req), atPath: SiteURL.baf(context.organisation.odsCode).path + "/" + objective.reference)
    }

    func act(_ action: SiteURL.ObjectiveAction, _ req: Request) async throws -> Framework {
        let context = try await req.riskContext(.editAnyRecord)
        let changes = BoardAssuranceChanges(register: context.register)
        let objective = try await changes.find(try req.objectiveReference)
        try await changes.perform(action, objective, form: try req.decodeJSON(ObjectiveChangeBody.self).form)
        return try await read(req: req)
    }
}

/// The JSON body of a change to a strategic objective (link, unlink, a source of assurance, the
/// rating), typed in place of a string dictionary: a field the API does not know is refused by
/// name. Optional here so the objective's own checks name every missing field at once.
struct ObjectiveChangeBody: Decodable {
    var risk: String?
    var line: String?
    var source: String?
    var outcome: String?
    var reported: String?
    var assurance: String?
    var assurance_rationale: String?

    /// The same change as the objective page's forms send it.
    var form: [String: String] {
        ["risk": risk, "line": line, "source": source, "outcome": outcome, "reported": reported,
         "assurance": assurance, "assurance_rationale": assurance_rationale].compactMapValues { $0 }
    }
}
