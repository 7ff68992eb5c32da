import Foundation
import Vapor

/// The JSON bodies of the API's changes to a risk's controls and actions, typed (the action is a
/// UUID), in place of a string dictionary. Every field is optional here so that the register,
/// which the page's forms share, names every missing or wrong field at once.
enum RiskChangeBody {
    struct Control: Decodable {
        var control: String?
        var effectiveness: String?
    }

    struct Action: Decodable {
        var action: String?
        var action_owner: String?
        var due: String?
    }

    struct ActionStatus: Decodable {
        var action_id: UUID?
        var status: String?
    }

    /// The same change as the risk page's form would send it, for `RiskChanges.perform`.
    static func form(_ action: SiteURL.RiskPageAction, from request: Request) throws -> [String: String] {
        var form: [String: String] = [:]
        switch action {
        case .controls:
            let body = try request.decodeJSON(Control.self)
            form["control"] = body.control
            form["effectiveness"] = body.effectiveness
        case .actions:
            let body = try request.decodeJSON(Action.self)
            form["action"] = body.action
            form["action_owner"] = body.action_owner
            form["due"] = body.due
        case .actionStatus:
            let body = try request.decodeJSON(ActionStatus.self)
            form["action_id"] = body.action_id?.uuidString
            form["status"] = body.status
        case .review, .edit:
            // Reviews have their own typed route (`RiskAPI.review`); edits are a PUT of the risk.
            throw Abort(.notFound)
        }
        return form
    }
}
