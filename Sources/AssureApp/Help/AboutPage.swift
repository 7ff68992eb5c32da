import AssureCore
import Fluent
import Foundation
import Plot
import SQLKit
import Vapor

/// `/about`: this Assure for its administrators, as a page: the version, the database and its
/// schema, when each knowledge feed was last imported, and where the API description and the
/// service checks are. For anyone signed in; it shows no organisation's data.
enum AboutPage {
    struct Feed {
        var kind: String
        var source: String
        var records: Int
        var catalogueDate: String?
        var importedAt: Date
    }

    struct Model {
        var version: String
        var database: String
        var schemaVersion: Int?
        var pending: Int
        var reachable: Bool
        var feeds: [Feed]
    }

    /// The schema's state and the latest import of each knowledge feed.
    static func query(_ database: any Database, configuration: AssureConfiguration) async throws -> Model {
        let kind = configuration.database.isPostgres ? "PostgreSQL" : "SQLite"
        guard let schema = try? await SchemaStatus.read(from: database) else {
            return Model(version: AssureRelease.version, database: kind, schemaVersion: nil, pending: 0, reachable: false, feeds: [])
        }
        let rows = try await database.sqlDatabase.raw("""
            SELECT kind, source, records, catalogue_date, imported_at FROM kb_imports i
            WHERE imported_at = (SELECT MAX(imported_at) FROM kb_imports j WHERE j.kind = i.kind) ORDER BY kind
            """).all()
        let feeds = try rows.map { row in
            Feed(kind: try row.decode(column: "kind", as: String.self), source: try row.decode(column: "source", as: String.self),
                 records: try row.decode(column: "records", as: Int.self), catalogueDate: try row.decode(column: "catalogue_date", as: String?.self),
                 importedAt: try row.decode(column: "imported_at", as: Date.self))
        }
        return Model(version: AssureRelease.version, database: kind, schemaVersion: schema.version, pending: schema.pending.count, reachable: true, feeds: feeds)
    }

    static func show(req: Request) async throws -> Response {
        _ = try req.requireIdentity()
        let model = try await query(req.db, configuration: req.application.assureConfiguration)
        return Layout.response(PageShell(title: "About this Assure", breadcrumbs: [.init(title: "Help", url: .help)]), view(model))
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let schema = !model.reachable ? "The database did not answer"
            : model.pending == 0 ? "Current (\(Words.count(model.schemaVersion ?? 0, "migration")) applied)"
            : "Behind: \(Words.count(model.pending, "migration")) to apply (run assure migrate)"
        return .group(
            .h1(.text("About this Assure")),
            .p(.class("lede"), .text("For the people who run Assure: its version, its database and the feeds its estate analysis uses.")),
            Components.summaryList([
                ("Version", .text("Assure \(model.version)")),
                ("Database", .text(model.database)),
                ("Schema", .text(schema)),
            ]),
            .h2(.text("Knowledge base")),
            model.feeds.isEmpty
                ? Components.emptyState(title: "No feeds imported yet",
                                        message: "The estate is matched against the CVE, NVD, CISA KEV and endoflife.date feeds; an administrator imports them with assure kb import.",
                                        actions: [])
                : Components.scrollableTable(label: "Knowledge feeds", .table(
                    .class("table"),
                    .thead(.tr(.th(.text("Feed")), .th(.text("Source")), .th(.text("Records")), .th(.text("Catalogue date")), .th(.text("Imported")))),
                    .tbody(.forEach(model.feeds) { feed in
                        .tr(.td(.text(feed.kind)), .td(.text(feed.source)), .td(.text(Words.number(feed.records))),
                            .td(.text(feed.catalogueDate.map(CalendarDay.nhsStyle) ?? "—")), .td(.text(LondonTime.format(feed.importedAt))))
                    }))),
            .h2(.text("For developers and monitoring")),
            .ul(.class("list"),
                .li(.a(.href(SiteURL.api(.openAPI).path), .text("API description (OpenAPI 3.1, JSON)"))),
                .li(.a(.href(SiteURL.readyz.path), .text("Readiness check")), .text(": whether the database answers and its schema is current (JSON)")),
                .li(.a(.href(SiteURL.healthz.path), .text("Health check")), .text(": whether the process answers (JSON)")),
                .li(.text("Metrics for Prometheus at "), .code(.text(SiteURL.metrics.path))))
        )
    }
}

struct HelpRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.help.pathComponents, use: HelpPage.show)
        routes.get(SiteURL.about.pathComponents, use: AboutPage.show)
    }
}
