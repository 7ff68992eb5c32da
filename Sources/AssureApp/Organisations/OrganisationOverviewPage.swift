import AssureCore
import Plot
import Vapor

/// `/organisations/{code}`: what Assure holds about one organisation so far, and what to do next.
enum OrganisationOverviewPage {
    struct Model {
        var organisation: OrganisationRecord
        var ancestry: [OrganisationRecord]
        var children: [OrganisationRecord]
        var canEdit = false
    }

    static func handle(req: Request) async throws -> Response {
        let (identity, organisation) = try await req.authorise(.read, organisation: try req.organisationCode)
        let directory = OrganisationDirectory(database: req.db)
        let ancestry = try await directory.ancestry(of: organisation.odsCode)
        let ancestors = ancestry.dropLast().reversed().map(\.odsCode)
        let model = Model(
            organisation: organisation,
            ancestry: ancestry,
            children: try await directory.children(of: organisation, readableBy: identity, parentAncestors: ancestors),
            canEdit: AccessPolicy.allows(identity.memberships, .editOrganisation, on: organisation.odsCode, ancestors: ancestors)
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
        let organisation = model.organisation
        return .group(
            .span(.class("caption"), .text(organisation.type.displayName.capitalisedFirst)),
            .h1(.text(organisation.name)),
            .if(model.canEdit, .p(.class("button-group"),
               .a(.class("button button--secondary"), .href(SiteURL.editOrganisation(organisation.odsCode).path), .text("Edit details")))),
            Components.summaryList([
                ("ODS code", .text(organisation.odsCode)),
                ("Type", .text(organisation.type.displayName.capitalisedFirst)),
                ("Part of", organisation.parentCode.map { code in
                    .a(.href(SiteURL.organisation(code).path), .text("\(organisation.parentName ?? code) (\(code))"))
                } ?? .text("Top of the tree")),
                ("DSPT category", .text(organisation.dsptCategory.map { "Category \($0)" } ?? "Not set")),
            ]),
            .if(organisation.type.mayHaveChildren, .group(
                .h2(.text("Organisations under \(organisation.name)")),
                childrenSection(model)
            )),
            .h2(.text("Governance record")),
            .p(.text("Risk, compliance, estate and performance records for \(organisation.name) will appear here as each capability is switched on in Assure.")),
            .if(organisation.type.mayHaveChildren, .ul(.class("card-grid"),
                .li(.class("card"),
                    .h3(.text("Organisation structure")),
                    .p(.class("card__figure"), .text("\(model.children.count)")),
                    .p(.text(model.children.isEmpty ? "No organisations report to it yet." : "organisations report directly to it.")))
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
            .caption(.text("\(model.children.count) organisation\(model.children.count == 1 ? "" : "s")")),
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
