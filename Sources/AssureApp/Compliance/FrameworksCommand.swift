import AssureCore
import Foundation
import Vapor

/// `assure frameworks list | show ID[@VERSION] | validate FILE | import FILE | export ID --format oscal`:
/// the compliance catalogues and mappings Assure offers, a check of a file before it is used (every
/// problem by file, line and field), importing one into the database, and OSCAL catalog export.
struct FrameworksCommand: AsyncCommandGroup {
    var help: String { "List, show and validate compliance framework catalogues" }
    var commands: [String: any AnyAsyncCommand] { ["list": ListFrameworks(), "show": ShowFramework(), "validate": ValidateCatalogue(), "import": ImportFramework(), "export": ExportFramework()] }
}

struct ListFrameworks: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Lists the catalogues and mappings Assure offers (shipped and imported)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let library = try await FrameworksCommand.library(context)
        for catalogue in library.catalogues {
            context.console.print("\(catalogue.key)\t\(catalogue.title) \(catalogue.version)\t\(catalogue.items.count) items\t\(catalogue.publisher)\(catalogue.unverified ? "\t(some details unverified)" : "")")
        }
        for mapping in library.mappings {
            context.console.print("mapping \(mapping.id)\t\(mapping.source) → \(mapping.target)\t\(mapping.entries.count) entries")
        }
    }
}

struct ShowFramework: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "id", help: "A catalogue id, with @version for one version (e.g. ncsc-caf@3.2)") var id: String
    }
    var help: String { "Shows a catalogue's groups and items with their allowed levels" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let catalogue = try FrameworksCommand.require(signature.id, in: try await FrameworksCommand.library(context), command: "show")
        context.console.print("\(catalogue.title) \(catalogue.version) — \(catalogue.publisher), \(catalogue.published)")
        context.console.print("Licence: \(catalogue.licence)")
        func show(_ group: FrameworkCatalogue.Group, depth: Int) {
            context.console.print(String(repeating: "  ", count: depth) + "\(group.id) \(group.title)")
            for item in group.items {
                context.console.print(String(repeating: "  ", count: depth + 1) + "\(item.id) \(item.title) [\(item.levels.joined(separator: ", "))]\(item.mandatory ? " mandatory" : "")")
            }
            group.groups.forEach { show($0, depth: depth + 1) }
        }
        catalogue.groups.forEach { show($0, depth: 0) }
        for profile in catalogue.profiles { context.console.print("Profile \(profile.id): \(profile.title) (\(profile.targets.count) targets)") }
    }
}

struct ValidateCatalogue: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A catalogue or mapping YAML file") var file: String
    }
    var help: String { "Checks a catalogue file and names the file, line and field of every problem" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let (name, text) = try FrameworksCommand.read(signature.file, command: "validate")
        do {
            if (try CatalogueLoader.compose(text, file: name)).mapping?["entries"] != nil {
                let mapping = try MappingLoader.load(text, file: name, catalogues: { FrameworkLibrary.shipped.find($0) })
                context.console.print("\(name): mapping \(mapping.id), \(mapping.source) → \(mapping.target), \(mapping.entries.count) entries — valid")
                return
            }
            let catalogue = try CatalogueLoader.load(text, file: name)
            context.console.print("\(name): \(catalogue.key), \(catalogue.items.count) items, \(catalogue.profiles.count) profiles — valid")
        } catch {
            throw CommandFailure(message: error.problems.map(\.description).joined(separator: "\n"))
        }
    }
}

extension FrameworksCommand {
    /// Shipped catalogues, plus imported ones when the database is current; with no database
    /// yet (a fresh data directory) the shipped ones alone, so they can be read and exported.
    static func library(_ context: CommandContext) async throws -> FrameworkLibrary {
        guard (try? await SchemaStatus.read(from: context.application.db))?.isCurrent == true else { return .shipped }
        try await context.application.reloadFrameworks()
        return context.application.frameworks
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

struct ImportFramework: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A catalogue or mapping YAML file") var file: String
    }
    var help: String { "Checks a catalogue or mapping file and adds it to this Assure's library (kept in the database)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let (name, text) = try FrameworksCommand.read(signature.file, command: "import")
        try await AssureStartup.requireCurrentSchema(context.application)
        try await context.application.reloadFrameworks()
        do {
            let summary = try await FrameworkImport.run(text: text, fileName: name, by: "command:frameworks-import",
                                                        on: context.application)
            context.console.print("Imported \(summary). Running Assure servers offer it after their next restart.")
        } catch let violations as RuleViolations<CatalogueError> {
            throw CommandFailure(message: violations.problems.map(\.description).joined(separator: "\n"))
        }
    }
}

struct ExportFramework: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "id", help: "A catalogue id, with @version for one version (e.g. ncsc-caf@3.2)") var id: String
        @Option(name: "format", help: "oscal (an OSCAL 1.1 catalog in JSON)") var format: String?
        @Option(name: "output", short: "o", help: "A file to write instead of standard output") var output: String?
    }
    var help: String { "Writes a catalogue as an OSCAL catalog (JSON)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard (signature.format ?? "oscal").lowercased() == "oscal" else {
            throw CommandFailure(message: "frameworks export: --format '\(signature.format ?? "")' is not supported; use --format oscal")
        }
        let catalogue = try FrameworksCommand.require(signature.id, in: try await FrameworksCommand.library(context), command: "export")
        let data = try OSCALExport.catalog(catalogue)
        if let output = signature.output {
            guard FileManager.default.createFile(atPath: output, contents: data) else {
                throw CommandFailure(message: "frameworks export: cannot write \(output)")
            }
            context.console.print("Wrote \(catalogue.key) as an OSCAL catalog to \(output)")
        } else {
            context.console.output(String(decoding: data, as: UTF8.self), style: .plain, newLine: true)
        }
    }
}
