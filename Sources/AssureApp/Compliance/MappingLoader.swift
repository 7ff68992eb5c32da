import AssureCore
import Foundation
import Yams

/// Reads a mapping YAML file (`source`, `target`, `entries` of from/to/relationship/note) and checks
/// it against the catalogues it joins, naming the file, line and field of every problem.
enum MappingLoader {
    static func load(_ text: String, file: String, catalogues: (String) -> FrameworkCatalogue?) throws(RuleViolations<CatalogueError>) -> FrameworkMapping {
        let root = try CatalogueLoader.compose(text, file: file)
        var reader = CatalogueLoader.Reader(file: file)
        guard let map = root.mapping else {
            throw RuleViolations([CatalogueError(file: file, line: root.mark?.line ?? 1, field: "file", message: "the top level must be a mapping of id, source, target and entries")])
        }
        var lines: [String: Int] = ["mapping": root.mark?.line ?? 1]
        if map["entries"]?.sequence == nil { reader.fail(root, "entries", "is missing or not a list") }
        let entries = (map["entries"]?.sequence ?? []).enumerated().map { index, node -> FrameworkMapping.Entry in
            let path = "entries[\(index)]"
            lines[path] = node.mark?.line
            let raw = reader.string(node.mapping, "relationship", in: node, path: path)
            let relationship = MappingRelationship(rawValue: raw)
            if relationship == nil, !raw.isEmpty {
                reader.fail(node, "\(path).relationship", "'\(raw)' is not one of \(MappingRelationship.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .init(from: reader.string(node.mapping, "from", in: node, path: path), to: reader.string(node.mapping, "to", in: node, path: path),
                         relationship: relationship ?? .intersects, note: reader.string(node.mapping, "note", in: node, required: false, path: path))
        }
        let mapping = FrameworkMapping(id: reader.string(map, "id", in: root, path: ""), title: reader.string(map, "title", in: root, path: ""),
                                       source: reader.string(map, "source", in: root, path: ""), target: reader.string(map, "target", in: root, path: ""),
                                       reviewed: reader.string(map, "reviewed", in: root, path: ""), entries: entries)
        var problems = reader.problems
        if problems.isEmpty {
            problems = mapping.problems(source: catalogues(mapping.source), target: catalogues(mapping.target)).map {
                CatalogueError(file: file, line: lines[$0.at] ?? 1, field: $0.at == "mapping" ? $0.field : "\($0.at).\($0.field)", message: $0.message)
            }
        }
        guard problems.isEmpty else { throw RuleViolations(problems) }
        return mapping
    }
}

/// The crosswalks Assure ships, from its resources.
enum ShippedMappings {
    static let files: [(name: String, text: String)] = [
        ("ncsc-caf-3.2-to-4.0.yaml", String(decoding: PackageResources.ncsc_caf_3_2_to_4_0_yaml, as: UTF8.self)),
        ("dspt-caf-to-ncsc-caf-3.2.yaml", String(decoding: PackageResources.dspt_caf_to_ncsc_caf_3_2_yaml, as: UTF8.self)),
        ("ncsc-caf-3.2-to-cyber-essentials.yaml", String(decoding: PackageResources.ncsc_caf_3_2_to_cyber_essentials_yaml, as: UTF8.self)),
        ("dspt-ndg-to-dspt-caf.yaml", String(decoding: PackageResources.dspt_ndg_to_dspt_caf_yaml, as: UTF8.self)),
    ]

    /// A shipped mapping that does not load is a build mistake, caught by the tests.
    static let all: [FrameworkMapping] = files.compactMap { try? MappingLoader.load($0.text, file: $0.name, catalogues: { ShippedCatalogues.find($0) }) }
}
