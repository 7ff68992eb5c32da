import AssureCore
import Foundation
import Vapor

/// `assure frameworks list | show ID[@VERSION] | validate FILE`: the compliance catalogues Assure
/// ships, and a check of a catalogue file before it is used (every problem by file, line and field).
struct FrameworksCommand: AsyncCommandGroup {
    var help: String { "List, show and validate compliance framework catalogues" }
    var commands: [String: any AnyAsyncCommand] { ["list": ListFrameworks(), "show": ShowFramework(), "validate": ValidateCatalogue()] }
}

struct ListFrameworks: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Lists the catalogues Assure ships" }

    func run(using context: CommandContext, signature: Signature) async throws {
        for catalogue in ShippedCatalogues.all {
            context.console.print("\(catalogue.key)\t\(catalogue.title) \(catalogue.version)\t\(catalogue.items.count) items\t\(catalogue.publisher)\(catalogue.unverified ? "\t(some details unverified)" : "")")
        }
    }
}

struct ShowFramework: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "id", help: "A catalogue id, with @version for one version (e.g. ncsc-caf@3.2)") var id: String
    }
    var help: String { "Shows a catalogue's groups and items with their allowed levels" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let catalogue = ShippedCatalogues.find(signature.id) else {
            throw CommandFailure(message: "frameworks show: no catalogue '\(signature.id)'. Known: \(ShippedCatalogues.all.map(\.key).joined(separator: ", "))")
        }
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
        @Argument(name: "file", help: "A catalogue YAML file") var file: String
    }
    var help: String { "Checks a catalogue file and names the file, line and field of every problem" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            throw CommandFailure(message: "frameworks validate: cannot read \(signature.file)")
        }
        let name = (signature.file as NSString).lastPathComponent
        do {
            let catalogue = try CatalogueLoader.load(String(decoding: data, as: UTF8.self), file: name)
            context.console.print("\(name): \(catalogue.key), \(catalogue.items.count) items, \(catalogue.profiles.count) profiles — valid")
        } catch {
            throw CommandFailure(message: error.problems.map(\.description).joined(separator: "\n"))
        }
    }
}
