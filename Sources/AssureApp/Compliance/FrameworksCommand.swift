import ArgumentParser
import AssureCore
import Foundation
import Vapor

/// `assure frameworks list | show ID[@VERSION] | validate FILE | import FILE | export ID --format oscal`:
/// the compliance catalogues and mappings Assure offers, a check of a file before it is used (every
/// problem by file, line and field), importing one into the database, and OSCAL catalog export.
struct FrameworksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frameworks", abstract: "List, show, check, import and export compliance framework catalogues.",
        subcommands: [ListFrameworks.self, ShowFramework.self, ValidateCatalogue.self, ImportFramework.self, ExportFramework.self])
}

struct ListFrameworks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists the catalogues and mappings Assure offers (shipped and imported).")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    struct Catalogue: Encodable { var key, title, version, publisher: String; var items: Int; var unverified: Bool }
    struct Mapping: Encodable { var id, source, target: String; var entries: Int }
    struct Summary: Encodable { var catalogues: [Catalogue]; var mappings: [Mapping] }

    func run() async throws {
        let output = output.output
        try await CommandSession.run(storage, schema: .asItIs) { app in
            let library = try await FrameworksCommand.library(app)
            for catalogue in library.catalogues {
                output.say("\(catalogue.key)\t\(catalogue.title) \(catalogue.version)\t\(catalogue.items.count) items\t\(catalogue.publisher)\(catalogue.unverified ? "\t(some details unverified)" : "")")
            }
            for mapping in library.mappings {
                output.say("mapping \(mapping.id)\t\(mapping.source) → \(mapping.target)\t\(mapping.entries.count) entries")
            }
            try output.summary(Summary(
                catalogues: library.catalogues.map { Catalogue(key: $0.key, title: $0.title, version: $0.version, publisher: $0.publisher, items: $0.items.count, unverified: $0.unverified) },
                mappings: library.mappings.map { Mapping(id: $0.id, source: $0.source, target: $0.target, entries: $0.entries.count) }))
        }
    }
}

struct ShowFramework: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Shows a catalogue's groups and items with their allowed levels.")

    @CommandOptions var storage: StorageOptions
    @CommandArgument(help: "A catalogue id, with @version for one version (e.g. ncsc-caf@3.2).") var id: String

    func run() async throws {
        let id = id
        try await CommandSession.run(storage, schema: .asItIs) { app in
            let catalogue = try FrameworksCommand.require(id, in: try await FrameworksCommand.library(app), command: "show")
            print("\(catalogue.title) \(catalogue.version) — \(catalogue.publisher), \(catalogue.published)")
            print("Licence: \(catalogue.licence)")
            func show(_ group: FrameworkCatalogue.Group, depth: Int) {
                print(String(repeating: "  ", count: depth) + "\(group.id) \(group.title)")
                for item in group.items {
                    print(String(repeating: "  ", count: depth + 1) + "\(item.id) \(item.title) [\(item.levels.joined(separator: ", "))]\(item.mandatory ? " mandatory" : "")")
                }
                group.groups.forEach { show($0, depth: depth + 1) }
            }
            catalogue.groups.forEach { show($0, depth: 0) }
            for profile in catalogue.profiles { print("Profile \(profile.id): \(profile.title) (\(profile.targets.count) targets)") }
        }
    }
}

struct ValidateCatalogue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Checks a catalogue or mapping file and names the file, line and field of every problem.")

    @CommandOptions var output: OutputOptions
    @CommandArgument(help: "A catalogue or mapping YAML file.") var file: String

    struct Summary: Encodable { var file, kind, id: String; var entries: Int; var valid: Bool }

    /// Needs no database: the file is checked against the shipped catalogues.
    func run() async throws {
        let output = output.output
        let (name, text) = try FrameworksCommand.read(file, command: "validate")
        let summary: Summary
        do {
            if (try CatalogueLoader.compose(text, file: name)).mapping?["entries"] != nil {
                let mapping = try MappingLoader.load(text, file: name, catalogues: { FrameworkLibrary.shipped.find($0) })
                output.say("\(name): mapping \(mapping.id), \(mapping.source) → \(mapping.target), \(mapping.entries.count) entries — valid")
                summary = Summary(file: name, kind: "mapping", id: mapping.id, entries: mapping.entries.count, valid: true)
            } else {
                let catalogue = try CatalogueLoader.load(text, file: name)
                output.say("\(name): \(catalogue.key), \(catalogue.items.count) items, \(catalogue.profiles.count) profiles — valid")
                summary = Summary(file: name, kind: "catalogue", id: catalogue.key, entries: catalogue.items.count, valid: true)
            }
        } catch {
            throw CommandFailure(message: error.problems.map(\.description).joined(separator: "\n"))
        }
        try output.summary(summary)
    }
}

extension FrameworksCommand {
    /// Shipped catalogues, plus imported ones when the database is current; with no database
    /// yet (a fresh data directory) the shipped ones alone, so they can be read and exported.
    static func library(_ app: Application) async throws -> FrameworkLibrary {
        guard (try? await SchemaStatus.read(from: app.db))?.isCurrent == true else { return .shipped }
        try await app.reloadFrameworks()
        return app.frameworks
    }
    /// A file's name (for messages) and text.
    static func read(_ path: String, command: String) throws -> (name: String, text: String) {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "frameworks \(command): cannot read \(path)") }
        return ((path as NSString).lastPathComponent, String(decoding: data, as: UTF8.self))
    }

    static func require(_ key: String, in library: FrameworkLibrary, command: String) throws -> FrameworkCatalogue {
        guard let catalogue = library.find(key) else {
            throw CommandFailure(message: "frameworks \(command): no catalogue '\(key)'. Known: \(library.catalogues.map(\.key).joined(separator: ", "))")
        }
        return catalogue
    }
}

struct ImportFramework: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Checks a catalogue or mapping file and adds it to this Assure's library (kept in the database).")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandArgument(help: "A catalogue or mapping YAML file.") var file: String

    struct Summary: Encodable { var file, imported: String }

    func run() async throws {
        let output = output.output
        let (name, text) = try FrameworksCommand.read(file, command: "import")
        try await CommandSession.run(storage) { app in
            try await app.reloadFrameworks()
            do {
                let summary = try await FrameworkImport.run(text: text, fileName: name, by: "command:frameworks-import", on: app)
                output.say("Imported \(summary). Running Assure servers offer it after their next restart.")
                try output.summary(Summary(file: name, imported: "\(summary)"))
            } catch let violations as RuleViolations<CatalogueError> {
                throw CommandFailure(message: violations.problems.map(\.description).joined(separator: "\n"))
            }
        }
    }
}

struct ExportFramework: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Writes a catalogue as an OSCAL catalog (JSON).")

    @CommandOptions var storage: StorageOptions
    @CommandArgument(help: "A catalogue id, with @version for one version (e.g. ncsc-caf@3.2).") var id: String
    @CommandOption(help: "oscal (an OSCAL 1.1 catalog in JSON), the only format.") var format = "oscal"
    @CommandOption(name: .shortAndLong, help: "A file to write instead of standard output.") var output: String?

    func validate() throws {
        guard format.lowercased() == "oscal" else { throw UsageError("--format '\(format)' is not supported; use --format oscal") }
    }

    func run() async throws {
        let (id, output) = (id, output)
        try await CommandSession.run(storage, schema: .asItIs) { app in
            let catalogue = try FrameworksCommand.require(id, in: try await FrameworksCommand.library(app), command: "export")
            let data = try OSCALExport.catalog(catalogue, now: app.clock.now())
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: data) else {
                    throw CommandFailure(message: "frameworks export: cannot write \(output)")
                }
                print("Wrote \(catalogue.key) as an OSCAL catalog to \(output)")
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
