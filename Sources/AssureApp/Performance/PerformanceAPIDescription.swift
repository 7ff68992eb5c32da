import AssureCore
import Foundation

/// The descriptions of this domain's API operations and the names and notes of its bodies in the
/// OpenAPI document (`OpenAPIBuilder`); the bodies' fields themselves are read from their types.
extension APIOperation {
    static let keyIndicators = APIOperation(
        id: "keyIndicators", tag: "performance",
        summary: "The organisation's key indicators measured now, with RAG against target, and its daily snapshots",
        query: [
            .query("days", ["type": "integer", "minimum": 1, "maximum": 366], "How many daily snapshots (1–366, default 90)"),
        ],
        problems: [401, 403, 404, 422])

    /// The oversight pages' filters, the same for a region, an ICB and the country.
    static let oversightQuery: [APIParameter] = [
        .query("indicator", oneOf: KeyIndicator.self, "The indicator to rank by, worst first (default risks-above-appetite)"),
        .query("type", oneOf: OrganisationType.self, adding: ["all"], "Only organisations of this type (or all)"),
        .query("rating", oneOf: RAGRating.self, adding: ["all"], "Only organisations rated so on the chosen indicator (or all)"),
        .query("page", ["type": "integer", "minimum": 1, "maximum": 100000], "Page of 100 organisations, from 1"),
    ]

    static let oversight = APIOperation(
        id: "oversight", tag: "performance",
        summary: "Every organisation below an ICB or region on every key indicator: population summary, ranking with peer percentiles, population trend (needs the oversight role)",
        query: oversightQuery,
        problems: [401, 403, 404, 422])

    static let nationalOversight = APIOperation(
        id: "nationalOversight", tag: "performance",
        summary: "Every organisation in the country on every key indicator (needs the oversight role in every region)",
        query: oversightQuery,
        problems: [401, 403, 404, 422])
}

extension PerformanceAPI.Figure: APISchema {
    static let schemaName = "KeyIndicatorFigure"
    static let fieldNotes: [String: JSON] = [
        "indicator": ["enum": .values(of: KeyIndicator.self)],
        "unit": ["enum": .strings([KeyIndicator.Unit.count, .percent].map(\.rawValue))],
        "value": ["description": "Absent or null when it cannot be measured (no assessment, no estate)"],
        "rating": ["enum": .values(of: RAGRating.self)],
    ]
}

extension PerformanceAPI.Indicators: APISchema {
    static let schemaName = "KeyIndicators"
}

extension PerformanceAPI.RollUp: APISchema {
    static let schemaName = "OversightRollUp"
    static let fieldNotes: [String: JSON] = [
        "scope": ["description": "The ICB's or region's ODS code, or national"],
    ]
}
