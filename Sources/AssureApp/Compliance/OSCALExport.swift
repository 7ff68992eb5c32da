import AssureCore
import Crypto
import Foundation

/// OSCAL 1.1.2 JSON: a catalogue as a `catalog` and an assessment as `assessment-results`, so a
/// trust's DSPT or CAF position can move into other GRC tools and regulators' pipelines.
/// Identifiers OSCAL cannot take (DSPT "1.1" starts with a digit) are prefixed; the publisher's id
/// is always kept as the `label` property.
enum OSCALExport {
    static let version = "1.1.2"
    static let namespace = "https://github.com/nhs-assure/assure/ns/oscal"

    struct Property: Encodable {
        var name: String
        var value: String
        var ns: String?
    }

    struct Metadata: Encodable {
        var title: String
        var lastModified: String
        var version: String
        var oscalVersion = OSCALExport.version
        var published: String?
        var props: [Property]?
        var remarks: String?
        enum CodingKeys: String, CodingKey {
            case title, version, published, props, remarks
            case lastModified = "last-modified", oscalVersion = "oscal-version"
        }
    }

    struct Control: Encodable {
        var id: String
        var title: String
        var props: [Property]
    }

    struct Group: Encodable {
        var id: String
        var title: String
        var props: [Property]
        var groups: [Group]?
        var controls: [Control]?
    }

    struct Catalog: Encodable {
        var uuid: String
        var metadata: Metadata
        var groups: [Group]
    }

    /// A token OSCAL accepts as an id: it must start with a letter or underscore.
    static func token(_ id: String) -> String {
        let cleaned = String(id.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
        return cleaned.first.map { $0.isLetter || $0 == "_" } == true ? cleaned.lowercased() : "item-\(cleaned.lowercased())"
    }

    /// A stable version-5-shaped UUID from a name, so exporting twice gives the same document ids.
    static func uuid(_ name: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// OSCAL documents are one object keyed by the model's name (`catalog`, `assessment-results`).
    struct Document<Value: Encodable>: Encodable {
        var key: String
        var value: Value
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value, forKey: Key(stringValue: key))
        }
    }

    static func encode<Value: Encodable>(_ root: String, _ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Document(key: root, value: value))
    }

    static func catalog(_ catalogue: FrameworkCatalogue, now: Date) throws -> Data {
        func props(_ id: String, _ extra: [Property] = []) -> [Property] { [Property(name: "label", value: id)] + extra }
        func convert(_ group: FrameworkCatalogue.Group) -> Group {
            Group(id: token(group.id), title: group.title, props: props(group.id),
                  groups: group.groups.isEmpty ? nil : group.groups.map { convert($0) },
                  controls: group.items.isEmpty ? nil : group.items.map { item in
                      var extra = item.levels.map { Property(name: "allowed-result", value: $0, ns: namespace) }
                      if item.mandatory { extra.append(Property(name: "mandatory", value: "true", ns: namespace)) }
                      if item.unverified { extra.append(Property(name: "unverified", value: "true", ns: namespace)) }
                      return Control(id: token(item.id), title: item.title, props: props(item.id, extra))
                  })
        }
        var metadataProps = [Property(name: "framework", value: catalogue.key, ns: namespace),
                             Property(name: "publisher", value: catalogue.publisher, ns: namespace)]
        if catalogue.unverified { metadataProps.append(Property(name: "unverified", value: "true", ns: namespace)) }
        let metadata = Metadata(title: catalogue.title, lastModified: timestamp(now), version: catalogue.version,
                                published: CalendarDay(catalogue.published).map { timestamp($0.date) }, props: metadataProps,
                                remarks: "\(catalogue.licence) \(catalogue.attribution)".trimmingCharacters(in: .whitespaces))
        return try encode("catalog", Catalog(uuid: uuid("catalog:\(catalogue.key)"), metadata: metadata, groups: catalogue.groups.map { convert($0) }))
    }
}

extension OSCALExport {
    struct Link: Encodable { var href: String; var description: String }
    struct ObservationRef: Encodable {
        var observationUUID: String
        enum CodingKeys: String, CodingKey { case observationUUID = "observation-uuid" }
    }
    struct Status: Encodable { var state: String; var reason: String?; var remarks: String? }
    struct Target: Encodable {
        var type = "objective-id"
        var targetID: String
        var title: String
        var status: Status
        var props: [Property]
        enum CodingKeys: String, CodingKey { case type, title, status, props, targetID = "target-id" }
    }
    struct Finding: Encodable {
        var uuid: String
        var title: String
        var description: String
        var target: Target
        var relatedObservations: [ObservationRef]?
        enum CodingKeys: String, CodingKey { case uuid, title, description, target, relatedObservations = "related-observations" }
    }
    struct Observation: Encodable {
        var uuid: String
        var title: String
        var description: String
        var methods: [String]
        var collected: String
        var expires: String?
        var relevantEvidence: [Link]
        enum CodingKeys: String, CodingKey { case uuid, title, description, methods, collected, expires, relevantEvidence = "relevant-evidence" }
    }
    struct IncludeAll: Encodable {}
    struct Selection: Encodable {
        var includeAll = IncludeAll()
        enum CodingKeys: String, CodingKey { case includeAll = "include-all" }
    }
    struct Reviewed: Encodable {
        var controlSelections = [Selection()]
        enum CodingKeys: String, CodingKey { case controlSelections = "control-selections" }
    }
    struct Result: Encodable {
        var uuid: String
        var title: String
        var description: String
        var start: String
        var props: [Property]
        var reviewedControls = Reviewed()
        var observations: [Observation]?
        var findings: [Finding]?
        enum CodingKeys: String, CodingKey { case uuid, title, description, start, props, observations, findings, reviewedControls = "reviewed-controls" }
    }
    struct ImportAP: Encodable { var href: String }
    struct AssessmentResults: Encodable {
        var uuid: String
        var metadata: Metadata
        var importAP: ImportAP
        var results: [Result]
        enum CodingKeys: String, CodingKey { case uuid, metadata, results, importAP = "import-ap" }
    }

    /// One finding per item with a result: satisfied at the catalogue's top level, otherwise not
    /// satisfied with the level as the reason; each finding's evidence as one observation.
    static func assessmentResults(_ view: AssessmentView, organisation: OrganisationRecord, evidence: [String: [Evidence]], baseURL: String,
                                  now: Date) throws -> Data {
        let assessment = view.assessment, catalogue = view.catalogue
        let code = organisation.odsCode
        let documentKey = "assessment-results:\(code):\(assessment.reference)"
        let top = catalogue.levels.last?.id
        var observations: [Observation] = [], findings: [Finding] = []
        for item in view.items {
            guard let result = view.results[item.id], let level = result.level else { continue }
            let attached = evidence[item.id] ?? []
            var related: [ObservationRef]?
            if !attached.isEmpty {
                let observation = Observation(
                    uuid: uuid("\(documentKey):observation:\(item.id)"), title: "Evidence for \(item.id)",
                    description: attached.map { "\($0.reference) \($0.title)" }.joined(separator: "; "), methods: ["EXAMINE"],
                    collected: timestamp(result.updatedAt ?? now),
                    expires: attached.compactMap { $0.reviewBy.flatMap(CalendarDay.init) }.min().map { timestamp($0.date) },
                    relevantEvidence: attached.map { evidence in
                        let href = evidence.evidenceKind == .link ? (evidence.url ?? "")
                            : baseURL + (evidence.evidenceKind == .file ? SiteURL.evidenceFile(code, evidence.reference) : SiteURL.evidence(code, evidence.reference)).path
                        return Link(href: href, description: evidence.details.isEmpty ? "\(evidence.reference) \(evidence.title)" : "\(evidence.reference) \(evidence.title): \(evidence.details)")
                    })
                observations.append(observation)
                related = [ObservationRef(observationUUID: observation.uuid)]
            }
            var props = [Property(name: "label", value: item.id), Property(name: "result", value: level, ns: namespace),
                         Property(name: "review-status", value: result.itemStatus.rawValue, ns: namespace)]
            if let target = view.targets[item.id] { props.append(Property(name: "target", value: target, ns: namespace)) }
            if let reviewer = result.reviewerEmail { props.append(Property(name: "approved-by", value: reviewer, ns: namespace)) }
            let rationale = result.rationale.trimmingCharacters(in: .whitespacesAndNewlines)
            findings.append(Finding(
                uuid: uuid("\(documentKey):finding:\(item.id)"), title: "\(item.id) \(item.title)",
                description: rationale.isEmpty ? "\(catalogue.label(of: level)); no rationale recorded." : rationale,
                target: Target(targetID: token(item.id), title: item.title,
                               status: Status(state: level == top ? "satisfied" : "not-satisfied", reason: level == top ? nil : token(level),
                                              remarks: catalogue.label(of: level)),
                               props: props),
                relatedObservations: related))
        }
        let metadata = Metadata(title: "\(organisation.name): \(catalogue.title) \(catalogue.version), \(assessment.period)", lastModified: timestamp(now),
                                version: assessment.period, props: [Property(name: "organisation", value: code, ns: namespace),
                                                                    Property(name: "framework", value: catalogue.key, ns: namespace)],
                                remarks: "Self-assessment recorded in Assure. Final deadline \(assessment.finalDue).")
        let result = Result(uuid: uuid("\(documentKey):result"), title: "\(catalogue.title) \(catalogue.version) self-assessment, \(assessment.period)",
                            description: "\(view.assessed) of \(view.items.count) items assessed; \(view.gaps.count) below target; \(view.mandatoryNotMet.count) mandatory not yet met.",
                            start: timestamp(assessment.createdAt ?? now),
                            props: [Property(name: "assessment", value: assessment.reference, ns: namespace)] + (view.dsptStatus.map { [Property(name: "dspt-status", value: $0.rawValue, ns: namespace)] } ?? []),
                            observations: observations.isEmpty ? nil : observations, findings: findings.isEmpty ? nil : findings)
        // Each export is a new document (OSCAL: a new uuid per iteration); its parts keep stable ids.
        return try encode("assessment-results", AssessmentResults(uuid: UUID().uuidString.lowercased(), metadata: metadata,
                                                                  importAP: ImportAP(href: baseURL + SiteURL.assessment(code, assessment.reference).path),
                                                                  results: [result]))
    }
}
