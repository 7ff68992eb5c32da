import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static let listFrameworks = APIOperation(
        id: "listFrameworks", tag: "compliance",
        summary: "The framework catalogues Assure ships",
        problems: [401])

    static let readFramework = APIOperation(
        id: "readFramework", tag: "compliance",
        summary: "One catalogue's levels and items",
        problems: [401, 404])

    static let listAssessments = APIOperation(
        id: "listAssessments", tag: "compliance",
        summary: "The organisation's assessments",
        problems: [401, 404])

    static let startAssessment = APIOperation(
        id: "startAssessment", tag: "compliance",
        summary: "Start an assessment for a framework version and period",
        body: [.json(Assessments.StartInput.self)],
        problems: [400, 401, 403, 404, 409, 415, 422])

    static let readAssessment = APIOperation(
        id: "readAssessment", tag: "compliance",
        summary: "Every item with its result, target and status",
        problems: [401, 404])

    static let recordResult = APIOperation(
        id: "recordResult", tag: "compliance",
        summary: "Record an item's result (only levels the item allows)",
        body: [.json(Assessments.ResultInput.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let listEvidence = APIOperation(
        id: "listEvidence", tag: "compliance",
        summary: "The evidence library, newest first; optionally one currency view",
        query: [
            .query("currency", ["type": "string", "enum": .strings([EvidenceCurrency.current, .expiringSoon, .expired, .noReviewDate].map(\.rawValue))]),
        ],
        problems: [400, 401, 403, 404])

    static let addEvidence = APIOperation(
        id: "addEvidence", tag: "compliance",
        summary: "Add a link (JSON) or upload a file (multipart/form-data)",
        body: [.json(EvidenceLibrary.Input.self), APIContent(mediaType: "multipart/form-data", type: EvidenceAPI.Upload.self)],
        problems: [400, 401, 403, 404, 413, 415, 422])

    static let readEvidence = APIOperation(
        id: "readEvidence", tag: "compliance",
        summary: "One piece of evidence and the items it supports",
        problems: [401, 403, 404])

    static let approveEvidence = APIOperation(
        id: "approveEvidence", tag: "compliance",
        summary: "Approve or reject evidence (not one's own)",
        body: [.json(EvidenceLibrary.ApprovalInput.self)],
        problems: [400, 401, 403, 404, 415, 422])

    static let downloadEvidence = APIOperation(
        id: "downloadEvidence", tag: "compliance",
        summary: "The uploaded file, as uploaded",
        responses: [APIResponse(status: 200, description: "The file", content: [.media("*/*", ["type": "string", "format": "binary"])])],
        problems: [401, 403, 404])

    static let attachEvidence = APIOperation(
        id: "attachEvidence", tag: "compliance",
        summary: "Attach evidence from the library to an item",
        body: [.json(EvidenceLibrary.Choice.self)],
        problems: [400, 401, 403, 404, 409, 415, 422])

    static let detachEvidence = APIOperation(
        id: "detachEvidence", tag: "compliance",
        summary: "Detach evidence from an item (the evidence stays in the library)",
        problems: [401, 403, 404, 422])

    static let runAutomatedChecks = APIOperation(
        id: "runAutomatedChecks", tag: "compliance",
        summary: "Run the checks Assure answers from its own records (e.g. CAF A2.a from the risk register)",
        problems: [401, 403, 404])

    static let copyAssessmentForward = APIOperation(
        id: "copyAssessmentForward", tag: "compliance",
        summary: "Start a new period or version from this assessment, carrying results through the mapping",
        body: [.json(Assessments.StartInput.self)],
        problems: [400, 401, 403, 404, 409, 415, 422])

    static let assessmentOSCAL = APIOperation(
        id: "assessmentOSCAL", tag: "compliance",
        summary: "The assessment as OSCAL 1.1.2 assessment-results JSON",
        responses: [APIResponse(status: 200, description: "OSCAL assessment results", content: [.media("application/json", ["type": "object", "required": ["assessment-results"]])])],
        problems: [401, 403, 404])

    static let compliancePositions = APIOperation(
        id: "compliancePositions", tag: "compliance",
        summary: "The latest DSPT and CAF position of this organisation and each one below it the caller may read",
        problems: [401, 403, 404])
}

extension AssessmentAPI.FrameworkSummary: APISchema {
    static let schemaName = "FrameworkSummary"
}

extension AssessmentAPI.FrameworkDetail: APISchema {
    static let schemaName = "FrameworkDetail"
}

extension AssessmentAPI.AssessmentSummary: APISchema {
    static let schemaName = "AssessmentSummary"
}

extension Assessments.StartInput: APISchema {
    static let schemaName = "AssessmentStart"
    static let schemaNotes: [String: JSON] = ["required": ["framework", "period"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "framework": ["description": "id@version from /api/v1/frameworks"],
        "period": ["maxLength": 40],
        "final_due": ["description": "YYYY-MM-DD. Left out (with interim_due), the publisher's deadlines for the period where Assure knows them (the DSPT's); otherwise required."],
    ]
}

extension Assessments.ResultInput: APISchema {
    static let schemaName = "AssessmentResultInput"
    static let schemaNotes: [String: JSON] = ["additionalProperties": false, "description": "Only the fields sent change; an empty string clears a field. Approving follows separation of duties: the approver is not the stored owner and did not submit the change being approved.", "minProperties": 1]
    static let fieldNotes: [String: JSON] = [
        "rationale": ["maxLength": 4000],
        "status": ["enum": .values(of: AssessmentItemStatus.self)],
        "indicators": ["description": "Indicators ticked, for items whose catalogue supplies a checklist; the level is graded from them"],
    ]
}

extension AssessmentAPI.AssessmentDetail: APISchema {
    static let schemaName = "AssessmentDetail"
}

extension EvidenceAPI.EvidenceSummary: APISchema {
    static let schemaName = "Evidence"
    static let fieldNotes: [String: JSON] = [
        "kind": ["enum": .values(of: EvidenceKind.self)],
        "currency": ["enum": .strings([EvidenceCurrency.current, .expiringSoon, .expired, .noReviewDate].map(\.rawValue))],
        "approval": ["enum": .values(of: EvidenceApproval.self)],
    ]
}

extension EvidenceLibrary.Input: APISchema {
    static let schemaName = "EvidenceLinkInput"
    static let schemaNotes: [String: JSON] = ["additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "title": ["maxLength": 200],
        "owner": ["description": "Email of someone with a role in the organisation"],
        "valid_from": ["description": "YYYY-MM-DD"],
        "review_by": ["description": "YYYY-MM-DD: review or expiry date"],
        "url": ["description": "https:// address of the document"],
    ]
}

extension EvidenceLibrary.Choice: APISchema {
    static let schemaName = "EvidenceChoice"
    static let schemaNotes: [String: JSON] = ["required": ["evidence"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "evidence": ["description": "A reference in the organisation's library, e.g. E12"],
    ]
}

extension EvidenceLibrary.ApprovalInput: APISchema {
    static let schemaName = "EvidenceApproval"
    static let schemaNotes: [String: JSON] = ["required": ["approval"], "additionalProperties": false]
    static let fieldNotes: [String: JSON] = [
        "approval": ["enum": .values(of: EvidenceApproval.self)],
    ]
}

extension AutomatedCheckRunner.Ran: APISchema {
    static let schemaName = "CheckRun"
    static let fieldNotes: [String: JSON] = [
        "recorded": ["description": "False when a person's approved result was left as it is"],
    ]
}

extension EvidenceAPI.CopyResult: APISchema {
    static let schemaName = "CopyResult"
}

extension CompliancePositions.Row: APISchema {
    static let schemaName = "CompliancePosition"
}

extension EvidenceAPI.Upload: APISchema {
    static let schemaName = "EvidenceUpload"
    static let schemaNotes: [String: JSON] = ["required": ["file"]]
    static let fieldNotes: [String: JSON] = [
        "file": ["type": "string", "format": "binary", "description": "Up to ASSURE_EVIDENCE_MAX_MB; pdf, docx, xlsx, pptx, odt, ods, csv, txt, png, jpg"],
    ]
}
