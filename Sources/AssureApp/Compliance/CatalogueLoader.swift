import AssureCore
import Foundation
import Yams

/// A problem in a catalogue file: which file, which line, which field, and what is wrong.
struct CatalogueError: Error, Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var field: String
    var message: String
    var description: String { "\(file):\(line): \(field): \(message)" }
}

/// Reads catalogue YAML into a `FrameworkCatalogue`, reporting every problem with its file, line
/// and field: YAML syntax, missing or mistyped fields, then the catalogue's own rules.
enum CatalogueLoader {
    static func load(_ text: String, file: String) throws(RuleViolations<CatalogueError>) -> FrameworkCatalogue {
        let root = try compose(text, file: file)
        var reader = Reader(file: file)
        let catalogue = reader.catalogue(root)
        var problems = reader.problems
        if problems.isEmpty {
            problems = catalogue.problems().map { problem in
                CatalogueError(file: file, line: reader.lines[problem.at] ?? 1, field: problem.field,
                               message: problem.at == "catalogue" ? problem.message : "\(problem.at): \(problem.message)")
            }
        }
        guard problems.isEmpty else { throw RuleViolations(problems) }
        return catalogue
    }

    /// Parses YAML into a node tree that keeps line numbers; syntax errors name their line.
    static func compose(_ text: String, file: String) throws(RuleViolations<CatalogueError>) -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw RuleViolations([CatalogueError(file: file, line: 1, field: "file", message: "the file is empty")])
            }
            return node
        } catch let violations as RuleViolations<CatalogueError> {
            throw violations
        } catch let error as YamlError {
            throw RuleViolations([CatalogueError(file: file, line: line(of: error), field: "file", message: "not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")])
        } catch {
            throw RuleViolations([CatalogueError(file: file, line: 1, field: "file", message: "not valid YAML")])
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    /// Walks the YAML tree, remembering the line of every id for the rule checks' messages.
    struct Reader {
        let file: String
        var problems: [CatalogueError] = []
        var lines: [String: Int] = [:]

        init(file: String) { self.file = file }

        mutating func fail(_ node: Node?, _ field: String, _ message: String) {
            problems.append(CatalogueError(file: file, line: node?.mark?.line ?? 1, field: field, message: message))
        }

        mutating func string(_ map: Node.Mapping?, _ key: String, in node: Node, required: Bool = true, path: String) -> String {
            guard let value = map?[key] else {
                if required { fail(node, path.isEmpty ? key : "\(path).\(key)", "is missing") }
                return ""
            }
            guard let text = value.string else {
                fail(value, path.isEmpty ? key : "\(path).\(key)", "must be text")
                return ""
            }
            return text
        }

        func bool(_ map: Node.Mapping?, _ key: String) -> Bool { map?[key]?.bool ?? false }

        mutating func catalogue(_ root: Node) -> FrameworkCatalogue {
            guard let map = root.mapping else {
                fail(root, "file", "the top level must be a mapping of id, version, title, …")
                return FrameworkCatalogue(id: "", version: "", title: "", publisher: "", licence: "", attribution: "", published: "", unverified: false,
                                          levels: [], groups: [], profiles: [])
            }
            lines["catalogue"] = root.mark?.line
            let levels = (map["levels"]?.sequence ?? []).enumerated().map { index, node in
                FrameworkCatalogue.Level(id: string(node.mapping, "id", in: node, path: "levels[\(index)]"),
                                         label: string(node.mapping, "label", in: node, path: "levels[\(index)]"))
            }
            if map["levels"]?.sequence == nil { fail(root, "levels", "is missing or not a list") }
            let groups = (map["groups"]?.sequence ?? []).enumerated().map { group($0.element, path: "groups[\($0.offset)]") }
            if map["groups"]?.sequence == nil { fail(root, "groups", "is missing or not a list") }
            let profiles = (map["profiles"]?.sequence ?? []).enumerated().map { index, node -> FrameworkCatalogue.Profile in
                let id = string(node.mapping, "id", in: node, path: "profiles[\(index)]")
                lines[id] = node.mark?.line
                var targets: [String: String] = [:]
                for (key, value) in node.mapping?["targets"]?.mapping ?? [:] {
                    guard let item = key.string, let level = value.string else { fail(value, "profiles[\(index)].targets", "must map item ids to level ids"); continue }
                    targets[item] = level
                }
                return .init(id: id, title: string(node.mapping, "title", in: node, path: "profiles[\(index)]"), targets: targets)
            }
            return FrameworkCatalogue(
                id: string(map, "id", in: root, path: ""), version: string(map, "version", in: root, path: ""), title: string(map, "title", in: root, path: ""),
                publisher: string(map, "publisher", in: root, path: ""), licence: string(map, "licence", in: root, path: ""),
                attribution: string(map, "attribution", in: root, required: false, path: ""), published: string(map, "published", in: root, required: false, path: ""),
                unverified: bool(map, "unverified"), levels: levels, groups: groups, profiles: profiles)
        }

        mutating func group(_ node: Node, path: String) -> FrameworkCatalogue.Group {
            let map = node.mapping
            if map == nil { fail(node, path, "must be a mapping with id, title and groups or items") }
            let id = string(map, "id", in: node, path: path)
            if lines[id] == nil { lines[id] = node.mark?.line }
            let items = (map?["items"]?.sequence ?? []).enumerated().map { index, itemNode -> FrameworkCatalogue.Item in
                let itemPath = "\(path).items[\(index)]"
                let itemID = string(itemNode.mapping, "id", in: itemNode, path: itemPath)
                if lines[itemID] == nil { lines[itemID] = itemNode.mark?.line }
                var levels: [String] = []
                if let sequence = itemNode.mapping?["levels"]?.sequence { levels = sequence.compactMap(\.string) }
                else { fail(itemNode, "\(itemPath).levels", "is missing or not a list") }
                let indicators = (itemNode.mapping?["indicators"]?.sequence ?? []).enumerated().map { number, node in
                    FrameworkCatalogue.Indicator(id: string(node.mapping, "id", in: node, path: "\(itemPath).indicators[\(number)]"),
                                                 level: string(node.mapping, "level", in: node, path: "\(itemPath).indicators[\(number)]"),
                                                 title: string(node.mapping, "title", in: node, path: "\(itemPath).indicators[\(number)]"))
                }
                return .init(id: itemID, title: string(itemNode.mapping, "title", in: itemNode, path: itemPath), levels: levels,
                             mandatory: bool(itemNode.mapping, "mandatory"), unverified: bool(itemNode.mapping, "unverified"), indicators: indicators)
            }
            let groups = (map?["groups"]?.sequence ?? []).enumerated().map { group($0.element, path: "\(path).groups[\($0.offset)]") }
            return .init(id: id, title: string(map, "title", in: node, path: path), groups: groups, items: items)
        }
    }
}

/// The catalogues Assure ships, from its resources.
enum ShippedCatalogues {
    static let files: [(name: String, text: String)] = [
        ("ncsc-caf-3.2.yaml", String(decoding: PackageResources.ncsc_caf_3_2_yaml, as: UTF8.self)),
        ("ncsc-caf-4.0.yaml", String(decoding: PackageResources.ncsc_caf_4_0_yaml, as: UTF8.self)),
        ("cyber-essentials.yaml", String(decoding: PackageResources.cyber_essentials_yaml, as: UTF8.self)),
        ("dtac.yaml", String(decoding: PackageResources.dtac_yaml, as: UTF8.self)),
        ("nhs-service-standard.yaml", String(decoding: PackageResources.nhs_service_standard_yaml, as: UTF8.self)),
        ("dspt-caf-2024-25.yaml", String(decoding: PackageResources.dspt_caf_2024_25_yaml, as: UTF8.self)),
        ("dspt-ndg.yaml", String(decoding: PackageResources.dspt_ndg_yaml, as: UTF8.self)),
        ("dcb0129.yaml", String(decoding: PackageResources.dcb0129_yaml, as: UTF8.self)),
        ("dcb0160.yaml", String(decoding: PackageResources.dcb0160_yaml, as: UTF8.self)),
    ]

    /// Loaded once; a shipped catalogue that does not load is a build mistake, caught by the tests.
    static let all: [FrameworkCatalogue] = files.compactMap { try? CatalogueLoader.load($0.text, file: $0.name) }

    static func find(_ key: String) -> FrameworkCatalogue? { all.find(key) }
}
