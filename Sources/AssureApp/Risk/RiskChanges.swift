import AssureCore
import Fluent
import Foundation
import Vapor

/// One change to a risk — a review, a control, an action or an action's status — with the
/// permission it needs. The risk page's forms and the API both come here, so a form and a JSON
/// body are held to the same rules.
enum RiskChanges {
    static func perform(_ action: SiteURL.RiskPageAction, on risk: Risk, form: [String: String], context: RiskContext) async throws {
        switch action {
        case .review:
            try context.requireChange(risk)
            _ = try await context.register.review(risk, likelihood: form["current_likelihood"] ?? "", consequence: form["current_consequence"] ?? "",
                                                  rationale: form["rationale"] ?? "")
        case .controls:
            try context.requireChange(risk)
            try await context.register.addControl(to: risk, description: form["control"] ?? "", effectiveness: form["effectiveness"] ?? "")
        case .actions:
            try context.requireChange(risk)
            try await context.register.addAction(to: risk, description: form["action"] ?? "", owner: form["action_owner"] ?? "", due: form["due"] ?? "")
        case .actionStatus:
            guard context.mayChange(risk) || context.may(.updateAssignedAction) else { return try context.requireChange(risk) }
            guard let id = form["action_id"].flatMap(UUID.init(uuidString:)),
                  let item = try await RiskAction.query(on: context.database).filter(\.$id == id).filter(\.$risk.$id == risk.requireID()).first() else {
                throw AssureError.invalid([RuleError(field: "action_id", message: "Choose an action of this risk")])
            }
            // The person an action is assigned to may update it, as may whoever may change the risk.
            let assigned = item.ownerEmail == context.actor && context.may(.updateAssignedAction)
            if !assigned { try context.requireChange(risk) }
            try await context.register.setActionStatus(item, of: risk, to: form["status"] ?? "")
        case .edit:
            throw Abort(.notFound)
        }
    }
}
