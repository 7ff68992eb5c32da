import AssureCore
import Plot
import Vapor

/// `/organisations/{code}`: the organisation's dashboard. Its key indicators against target with
/// their trend, the top risks, the heat map, compliance gaps, estate exposure and what falls due;
/// every figure links to the page that explains it.
enum OrganisationOverviewPage {
    struct Model {
        var organisation: OrganisationRecord
        var ancestry: [OrganisationRecord]
        var children: [OrganisationRecord]
        var canEdit = false
        var mayRollUp = false
        /// The dashboard's sections, rendered (and kept) by the dashboard cache.
        var dashboard: String
    }

    static func handle(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let identity = try req.requireIdentity(), organisation = context.organisation
        let model = Model(
            organisation: organisation,
            ancestry: context.chain,
            children: try await OrganisationDirectory(database: req.db)
                .children(of: organisation, readableBy: identity, parentAncestors: Array(context.ancestors.reversed())),
            canEdit: context.may(.editOrganisation),
            mayRollUp: organisation.type.mayHaveChildren && context.may(.readRollUp),
            dashboard: try await req.application.dashboardCache.sections(context, frameworks: req.frameworks)
        )
        return Layout.response(shell(model), view(model))
    }

    static func shell(_ model: Model) -> PageShell {
        let crumbs = [PageShell.Breadcrumb(title: "Organisations", url: .organisations)]
            + model.ancestry.dropLast().map { PageShell.Breadcrumb(title: $0.name, url: .organisation($0.odsCode)) }
        return PageShell(title: model.organisation.name, breadcrumbs: crumbs,
                         organisation: (model.organisation.odsCode, model.organisation.name), section: .overview,
                         ancestors: model.ancestry.dropLast().map(\.odsCode))
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let organisation = model.organisation, code = organisation.odsCode
        return .group(
            .span(.class("caption"), .text(organisation.type.displayName.capitalisedFirst)),
            .h1(.text(organisation.name)),
            .p(.class("button-group"),
               .a(.class("button"), .href(SiteURL.boardPack(code).path), .text("Board pack")),
               .if(model.mayRollUp, .a(.class("button button--secondary"), .href(SiteURL.oversight(code).path), .text("Oversight of organisations below"))),
               .if(model.canEdit, .a(.class("button button--secondary"), .href(SiteURL.editOrganisation(code).path), .text("Edit details")))),
            Components.summaryList([
                ("ODS code", .text(code)),
                ("Type", .text(organisation.type.displayName.capitalisedFirst)),
                ("Part of", organisation.parentCode.map { parent in
                    .a(.href(SiteURL.organisation(parent).path), .text("\(organisation.parentName ?? parent) (\(parent))"))
                } ?? .text("Top of the tree")),
                ("DSPT category", .text(organisation.dsptCategory.map { "Category \($0)" } ?? "Not set")),
            ]),
            // Rendered through the same escaping path as the rest, then kept (DashboardCache).
            .raw(model.dashboard),
            .if(organisation.type.mayHaveChildren, .group(
                .h2(.text("Organisations under \(organisation.name)")),
                childrenSection(model)
            ))
        )
    }

    private static func childrenSection(_ model: Model) -> Node<HTML.BodyContext> {
        let organisation = model.organisation
        guard !model.children.isEmpty else {
            return Components.emptyState(
                title: "None yet",
                message: "No organisations sit under \(organisation.name). Add them one at a time, or import them from a CSV file that names \(organisation.odsCode) as their parent_ods_code.",
                actions: [("Add an organisation", .newOrganisation), ("Import from CSV", .importOrganisations)]
            )
        }
        return Components.scrollableTable(label: "Organisations under \(organisation.name)", .table(
            .class("table"),
            .caption(.text("\(Words.count(model.children.count, "organisation"))")),
            .thead(.tr(.th(.text("Organisation")), .th(.text("ODS code")), .th(.text("Type")), .th(.text("DSPT category")))),
            .tbody(.forEach(model.children) { child in
                .tr(
                    .td(.a(.href(SiteURL.organisation(child.odsCode).path), .text(child.name))),
                    .td(.text(child.odsCode)),
                    .td(.text(child.type.displayName)),
                    .td(.text(child.dsptCategory.map(String.init) ?? "—"))
                )
            })
        ))
    }
}
