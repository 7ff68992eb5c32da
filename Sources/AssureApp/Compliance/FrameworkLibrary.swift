import AssureCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The catalogues and mappings this Assure offers: the shipped ones, plus any an administrator
/// imported with `assure frameworks import FILE` (kept in the database, so every instance sees them).
struct FrameworkLibrary: Sendable {
    var catalogues: [FrameworkCatalogue]
    var mappings: [FrameworkMapping]

    static let shipped = FrameworkLibrary(catalogues: ShippedCatalogues.all, mappings: ShippedMappings.all)

    /// `ncsc-caf@3.2` for one version, `ncsc-caf` for the newest.
    func find(_ key: String) -> FrameworkCatalogue? { catalogues.find(key) }

    func catalogue(of assessment: Assessment) -> FrameworkCatalogue? { find("\(assessment.frameworkID)@\(assessment.frameworkVersion)") }

    func requireCatalogue(of assessment: Assessment) throws -> FrameworkCatalogue {
        guard let catalogue = catalogue(of: assessment) else {
            throw AssureError.notFound("The framework of \(assessment.reference) (\(assessment.frameworkID)@\(assessment.frameworkVersion)) is not in this Assure's library")
        }
        return catalogue
    }

    /// The mapping that joins two catalogues, in either direction.
    func mapping(between one: String, and other: String) -> FrameworkMapping? {
        mappings.first { ($0.source == one && $0.target == other) || ($0.source == other && $0.target == one) }
    }

    /// Items of other frameworks related to `item` of catalogue `key`.
    func related(to item: String, in key: String) -> [(catalogue: String, item: String, relationship: MappingRelationship, note: String)] {
        mappings.flatMap { mapping in mapping.related(to: item, in: key).map { ($0.other, $0.item, $0.relationship, $0.note) } }
    }

    /// Adds what was imported, leaving the shipped catalogues as they are.
    func adding(_ imports: [ImportedFramework]) -> FrameworkLibrary {
        var library = self
        for entry in imports where entry.kind == ImportedFramework.Kind.catalogue.rawValue {
            if let catalogue = try? CatalogueLoader.load(entry.text, file: entry.fileName), library.find(catalogue.key) == nil {
                library.catalogues.append(catalogue)
            }
        }
        for entry in imports where entry.kind == ImportedFramework.Kind.mapping.rawValue {
            if let mapping = try? MappingLoader.load(entry.text, file: entry.fileName, catalogues: { library.find($0) }) {
                library.mappings.append(mapping)
            }
        }
        return library
    }
}

/// A catalogue or mapping file an administrator imported, kept as the text they gave.
final class ImportedFramework: Model, @unchecked Sendable {
    static let schema = "framework_imports"
    enum Kind: String { case catalogue, mapping }

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "kind") var kind: String
    @Field(key: "file_name") var fileName: String
    @Field(key: "text") var text: String
    @Field(key: "imported_by") var importedBy: String
    @Timestamp(key: "imported_at", on: .create) var importedAt: Date?

    init() {}
}

struct CreateFrameworkImports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportedFramework.schema)
            .id()
            .field("key", .string, .required)
            .field("kind", .string, .required)
            .field("file_name", .string, .required)
            .field("text", .string, .required)
            .field("imported_by", .string, .required)
            .field("imported_at", .datetime)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(ImportedFramework.schema).delete() }
}

extension Application {
    private struct FrameworkLibraryKey: StorageKey { typealias Value = NIOLockedValueBox<FrameworkLibrary> }

    private var frameworkBox: NIOLockedValueBox<FrameworkLibrary> {
        if let box = storage[FrameworkLibraryKey.self] { return box }
        let box = NIOLockedValueBox(FrameworkLibrary.shipped)
        storage[FrameworkLibraryKey.self] = box
        return box
    }

    var frameworks: FrameworkLibrary { frameworkBox.withLockedValue { $0 } }

    /// Reads imported catalogues and mappings again (at start-up, and after an import).
    func reloadFrameworks() async throws {
        let imports = try await ImportedFramework.query(on: db).sort(\.$importedAt).all()
        let library = FrameworkLibrary.shipped.adding(imports)
        frameworkBox.withLockedValue { $0 = library }
    }
}

extension Request {
    var frameworks: FrameworkLibrary { application.frameworks }
}

/// Imports a catalogue or mapping file into the database, after the same checks as the shipped ones.
enum FrameworkImport {
    static func run(text: String, fileName: String, by actor: String, on app: Application) async throws -> String {
        let root = try CatalogueLoader.compose(text, file: fileName)
        let isMapping = root.mapping?["entries"] != nil
        let library = app.frameworks
        let key: String
        let summary: String
        if isMapping {
            let mapping = try MappingLoader.load(text, file: fileName, catalogues: { library.find($0) })
            key = "mapping:\(mapping.id)"
            if library.mappings.contains(where: { $0.id == mapping.id }) {
                throw CommandFailure(message: "\(fileName): id: a mapping '\(mapping.id)' is already in the library; give this one another id")
            }
            summary = "mapping \(mapping.id): \(mapping.source) → \(mapping.target), \(mapping.entries.count) entries"
        } else {
            let catalogue = try CatalogueLoader.load(text, file: fileName)
            key = catalogue.key
            if library.find(key) != nil, library.catalogues.contains(where: { $0.key == key }) {
                throw CommandFailure(message: "\(fileName): version: \(key) is already in the library; give this edition its own version")
            }
            summary = "catalogue \(catalogue.key): \(catalogue.title), \(catalogue.items.count) items"
        }
        let entry = ImportedFramework()
        entry.key = key
        entry.kind = (isMapping ? ImportedFramework.Kind.mapping : .catalogue).rawValue
        entry.fileName = fileName
        entry.text = text
        entry.importedBy = actor
        try await app.db.writeTransaction { db in
            try await entry.create(on: db)
            try await AuditTrail.append([AuditContext(actor: actor, requestID: nil, clientAddress: nil, clock: app.clock).event("import", "framework", key, organisation: nil,
                                                                                                        changes: ["file": .init(before: nil, after: fileName)])], on: db)
        }
        try await app.reloadFrameworks()
        return summary
    }
}
