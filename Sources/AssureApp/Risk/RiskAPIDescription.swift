import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static func objective(_ action: SiteURL.ObjectiveAction) -> APIOperation {
        switch action {
        case .link: objectiveLink
        case .unlink: objectiveUnlink
        case .sources: objectiveSources
        case .rating: objectiveRating
        }
    }

    static let listRisks = APIOperation(
        id: "listRisks", tag: "risk",
        summary: "The risk register, filtered, sorted and paged (50 a page)",
        query: [
            .query("q", ["type": "string", "maxLength": 200], "Text in title, cause, event, source or the reference"),
            .query("status", oneOf: RiskStatus.self, adding: ["live", "all"], "live (default), all, or one status"),
            .query("category", oneOf: RiskCategory.self),
            .query("band", ["type": "string", "maxLength": 40], "A band key of the matrix"),
            .query("owner", ["type": "string", "maxLength": 254], "Owner's email"),
            .query("department", ["type": "string", "maxLength": 200], "One directorate or department's view"),
            .query("above_appetite", ["type": "string", "enum": ["yes"]]),
            .query("review_overdue", ["type": "string", "enum": ["yes"]]),
            .query("escalated", ["type": "string", "enum": ["yes"]]),
            .query("likelihood", ["type": "integer", "minimum": 1, "maximum": 10], "With consequence: one heat-map cell"),
            .query("consequence", ["type": "integer", "minimum": 1, "maximum": 10]),
            .query("sort", oneOf: RiskFilter.Sort.self),
            .query("page", ["type": "integer", "minimum": 1, "maximum": 100000]),
        ],
        problems: [401, 404, 422])

    static let createRisk = APIOperation(
        id: "createRisk", tag: "risk",
        summary: "Add a risk (numbered R-0001, R-0002, … per organisation)",
        body: [.json(RiskDraft.Input.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let riskHeatMap = APIOperation(
        id: "riskHeatMap", tag: "risk",
        summary: "Live risks per matrix cell, now and at target",
        problems: [401, 404])

    static let readRisk = APIOperation(
        id: "readRisk", tag: "risk",
        summary: "One risk with its controls, actions and score history",
        problems: [401, 404])

    static let replaceRisk = APIOperation(
        id: "replaceRisk", tag: "risk",
        summary: "Change a risk (its owner, or a manager)",
        body: [.json(RiskAPI.Update.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let reviewRisk = APIOperation(
        id: "reviewRisk", tag: "risk",
        summary: "Record a review: the current score now and what the review found",
        body: [.json(RiskAPI.Review.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let riskSettings = APIOperation(
        id: "riskSettings", tag: "risk",
        summary: "Matrix, appetite per category and escalation threshold",
        problems: [401, 404])

    static let saveRiskSettings = APIOperation(
        id: "saveRiskSettings", tag: "risk",
        summary: "Change them (organisation administrators)",
        body: [.json(RiskAPI.SettingsDTO.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let riskMatrices = APIOperation(
        id: "riskMatrices", tag: "risk",
        summary: "The matrices the organisation may use: Assure's and its own",
        problems: [401, 404])

    static let saveRiskMatrix = APIOperation(
        id: "saveRiskMatrix", tag: "risk",
        summary: "Add or replace one of the organisation's own matrices (refused if its bands leave gaps or overlap)",
        body: [.json(RiskMatrix.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let importRisks = APIOperation(
        id: "importRisks", tag: "risk",
        summary: "Import a register from CSV (all or nothing); map_FIELD=Column names the file's column for a field",
        query: [
            .query("map_title", ["type": "string", "maxLength": 200]),
            .query("map_cause", ["type": "string", "maxLength": 200]),
            .query("map_event", ["type": "string", "maxLength": 200]),
            .query("map_effect", ["type": "string", "maxLength": 200]),
            .query("map_category", ["type": "string", "maxLength": 200]),
            .query("map_owner", ["type": "string", "maxLength": 200]),
            .query("map_handler", ["type": "string", "maxLength": 200]),
            .query("map_department", ["type": "string", "maxLength": 200]),
            .query("map_objective", ["type": "string", "maxLength": 200]),
            .query("map_source_reference", ["type": "string", "maxLength": 200]),
            .query("map_opened", ["type": "string", "maxLength": 200]),
            .query("map_status", ["type": "string", "maxLength": 200]),
            .query("map_initial_likelihood", ["type": "string", "maxLength": 200]),
            .query("map_initial_consequence", ["type": "string", "maxLength": 200]),
            .query("map_current_likelihood", ["type": "string", "maxLength": 200]),
            .query("map_current_consequence", ["type": "string", "maxLength": 200]),
            .query("map_target_likelihood", ["type": "string", "maxLength": 200]),
            .query("map_target_consequence", ["type": "string", "maxLength": 200]),
        ],
        body: [.csv],
        problems: [400, 401, 403, 404, 413, 415, 422])

    static let boardAssuranceFramework = APIOperation(
        id: "boardAssuranceFramework", tag: "risk",
        summary: "Strategic objectives, principal risks, controls, sources of assurance, gaps, actions and ratings",
        problems: [401, 404])

    static let createObjective = APIOperation(
        id: "createObjective", tag: "risk",
        summary: "Add a strategic objective",
        body: [.json(BoardAssuranceChanges.ObjectiveInput.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let objectiveLink = APIOperation(
        id: "objectiveLink", tag: "risk",
        summary: "Link a register risk as a principal risk",
        body: [.json(ObjectiveChangeBody.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let objectiveUnlink = APIOperation(
        id: "objectiveUnlink", tag: "risk",
        summary: "Unlink a principal risk",
        body: [.json(ObjectiveChangeBody.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let objectiveSources = APIOperation(
        id: "objectiveSources", tag: "risk",
        summary: "Record a source of assurance",
        body: [.json(ObjectiveChangeBody.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let objectiveRating = APIOperation(
        id: "objectiveRating", tag: "risk",
        summary: "Set the overall assurance rating",
        body: [.json(ObjectiveChangeBody.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let riskControls = APIOperation(
        id: "riskControls", tag: "risk",
        summary: "Add an existing control",
        body: [.json(RiskChangeBody.Control.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let riskActions = APIOperation(
        id: "riskActions", tag: "risk",
        summary: "Add an action",
        body: [.json(RiskChangeBody.Action.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let riskActionStatus = APIOperation(
        id: "riskActionStatus", tag: "risk",
        summary: "Update an action's status (its owner, or whoever may change the risk)",
        body: [.json(RiskChangeBody.ActionStatus.self)],
        problems: [400, 401, 403, 404, 415, 422])
}

extension RiskDraft.Input: APISchema {
    static let schemaName = "RiskInput"
    static let schemaNotes: [String: JSON] = ["required": ["category", "cause", "current_consequence", "current_likelihood", "effect", "event", "initial_consequence", "initial_likelihood", "opened", "owner", "target_consequence", "target_likelihood", "title"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "title": ["maxLength": 4000],
        "cause": ["maxLength": 4000],
        "event": ["maxLength": 4000],
        "effect": ["maxLength": 4000],
        "category": ["enum": .values(of: RiskCategory.self)],
        "owner": ["description": "Email address of someone with a role in the organisation"],
        "handler": ["description": "Email address of someone with a role in the organisation"],
        "department": ["maxLength": 4000],
        "objective": ["maxLength": 4000],
        "source_reference": ["maxLength": 4000],
        "opened": ["description": "YYYY-MM-DD, not in the future"],
        "status": ["enum": .values(of: RiskStatus.self)],
        "initial_likelihood": JSON.matrixLevel,
        "initial_consequence": JSON.matrixLevel,
        "current_likelihood": JSON.matrixLevel,
        "current_consequence": JSON.matrixLevel,
        "target_likelihood": JSON.matrixLevel,
        "target_consequence": JSON.matrixLevel,
    ]
}

extension RiskAPI.Update: APISchema {
    static let schemaName = "RiskChange"
    static var schemaNotes: [String: JSON] { RiskDraft.Input.schemaNotes }
    /// A change takes a risk's fields, as `RiskInput` describes them, and says why.
    static var fieldNotes: [String: JSON] {
        RiskDraft.Input.fieldNotes.merging([
            "rationale": ["maxLength": 1000, "description": "Required when the current score changes"],
            "gaps_in_control": ["maxLength": 4000],
            "gaps_in_assurance": ["maxLength": 4000],
        ]) { _, own in own }
    }
}

extension RiskAPI.Review: APISchema {
    static let schemaName = "RiskReview"
    static let schemaNotes: [String: JSON] = ["required": ["current_consequence", "current_likelihood", "rationale"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "current_likelihood": JSON.matrixLevel,
        "current_consequence": JSON.matrixLevel,
        "rationale": ["maxLength": 1000],
    ]
}

extension RiskRow: APISchema {
    static let schemaName = "RiskRow"
}

extension RiskAPI.RiskList: APISchema {
    static let schemaName = "RiskList"
}

extension RiskAPI.RiskDTO: APISchema {
    static let schemaName = "Risk"
}

extension RiskAPI.HeatMapDTO: APISchema {
    static let schemaName = "HeatMap"
}

extension RiskAPI.SettingsDTO: APISchema {
    static let schemaName = "RiskSettings"
    static let schemaNotes: [String: JSON] = ["additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "matrix": ["maxLength": 40],
        "appetite": ["description": "Highest tolerable score per category"],
    ]
}

extension RiskMatrix: APISchema {
    static let schemaName = "RiskMatrix"
    static let fieldNotes: [String: JSON] = [
        "key": ["maxLength": 40],
    ]
}

extension RiskAPI.MatrixList: APISchema {
    static let schemaName = "RiskMatrixList"
}

extension RiskAPI.ImportResult: APISchema {
    static let schemaName = "RiskImportResult"
}

extension BoardAssuranceAPI.Framework: APISchema {
    static let schemaName = "BoardAssuranceFramework"
}

extension BoardAssuranceChanges.ObjectiveInput: APISchema {
    static let schemaName = "ObjectiveInput"
    static let schemaNotes: [String: JSON] = ["required": ["lead", "title"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "title": ["maxLength": 200],
        "description": ["maxLength": 4000],
        "lead": ["description": "Executive lead's email; they need a role in the organisation"],
        "committee": ["maxLength": 200],
    ]
}

extension ObjectiveChangeBody: APISchema {
    static let schemaName = "ObjectiveChange"
    static let schemaNotes: [String: JSON] = ["description": "link/unlink: risk. sources: line (1-3), source, outcome (positive|negative), reported (YYYY-MM-DD). rating: assurance, assurance_rationale.", "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "line": ["enum": .strings(AssuranceLine.allCases.map { String($0.rawValue) })],
        "source": ["maxLength": 2000],
        "outcome": ["enum": .values(of: AssuranceOutcome.self)],
        "assurance": ["enum": .values(of: AssuranceLevel.self)],
        "assurance_rationale": ["maxLength": 2000],
    ]
}

extension JSON {
    /// A likelihood or consequence: a level's score or its label on the organisation's matrix.
    static let matrixLevel: JSON = [
        "description": "A level's score (1…n) or its label on the organisation's matrix",
        "oneOf": [["type": "string", "maxLength": 4000], ["type": "integer"]],
    ]
}
