import AssureCore
import Plot
import Vapor

/// `/organisations`: the whole tree (regions open, ICBs folded), or search results when asked.
enum OrganisationTreePage {
    struct Model {
        var readable: ReadableOrganisations? = nil
        var canAdminister = false
        /// The oversight role (or administration) in every region: the whole country side by side.
        var nationalOversight = false
        var roots: [OrganisationTreeRow]
        var childrenByParent: [String: [OrganisationTreeRow]]
        var total: Int
        var search: OrganisationDirectory.Filter?
        var results: (total: Int, items: [OrganisationRecord])?
    }

    static func handle(req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        let canAdminister = AccessPolicy.allowsSystemWide(identity.memberships, .administerSystem)
        let directory = OrganisationDirectory(database: req.db)
        let text = req.query[String.self, at: "q"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let typeText = req.query[String.self, at: "type"] ?? ""
        if !text.isEmpty || !typeText.isEmpty {
            var filter = OrganisationDirectory.Filter(text: text, limit: 200)
            filter.type = typeText.isEmpty ? nil : try OrganisationType(parsing: typeText)
            filter.restrictTo = try await directory.readable(by: identity)
            // A switcher search that names exactly one organisation by code goes straight to it.
            if filter.type == nil, let exact = try await directory.find(text), filter.restrictTo?.contains(exact.odsCode) ?? true {
                return req.redirect(to: SiteURL.organisation(exact.odsCode).path, redirectType: .normal)
            }
            let results = try await directory.search(filter)
            return Layout.response(shell(), view(Model(canAdminister: canAdminister, roots: [], childrenByParent: [:], total: results.total,
                                                       search: filter, results: results)))
        }
        let all = try await directory.treeRows()
        let readable = ReadableOrganisations(identity, tree: all)
        let rows = readable.everything ? all : Self.withAncestors(of: readable, in: all)
        var children: [String: [OrganisationTreeRow]] = [:]
        var roots: [OrganisationTreeRow] = []
        for row in rows {
            if let parent = row.parentCode { children[parent, default: []].append(row) } else { roots.append(row) }
        }
        let national = !roots.isEmpty && all.filter { $0.parentCode == nil }
            .allSatisfy { AccessPolicy.allows(identity.memberships, .readRollUp, on: $0.odsCode, ancestors: []) }
        let model = Model(readable: readable, canAdminister: canAdminister, nationalOversight: national, roots: roots, childrenByParent: children,
                          total: readable.everything ? rows.count : readable.codes.count)
        return Layout.response(shell(), view(model))
    }

    /// The organisations someone may read, with the organisations above them so the tree keeps its shape.
    static func withAncestors(of readable: ReadableOrganisations, in rows: [OrganisationTreeRow]) -> [OrganisationTreeRow] {
        let byCode = Dictionary(uniqueKeysWithValues: rows.map { ($0.odsCode, $0) })
        var keep = Set<String>()
        for code in readable.codes {
            var current: String? = code
            while let here = current, keep.insert(here).inserted { current = byCode[here]?.parentCode }
        }
        return rows.filter { keep.contains($0.odsCode) }
    }

    static func shell() -> PageShell {
        PageShell(title: "Organisations", breadcrumbs: [], section: .organisations)
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text("Organisations")),
            .p(.class("lede"), .text("NHS England regions, integrated care boards and the organisations they oversee, by ODS code.")),
            .if(model.canAdminister || model.nationalOversight, .p(.class("button-group"),
               .if(model.canAdminister, .a(.class("button"), .href(SiteURL.newOrganisation.path), .text("Add an organisation"))),
               .if(model.canAdminister, .a(.class("button button--secondary"), .href(SiteURL.importOrganisations.path), .text("Import from CSV"))),
               .if(model.nationalOversight, .a(.class("button button--secondary"), .href(SiteURL.nationalOversight.path), .text("National oversight"))))),
            searchForm(model.search),
            model.results.map { results(model.search, $0) } ?? tree(model)
        )
    }

    private static func searchForm(_ filter: OrganisationDirectory.Filter?) -> Node<HTML.BodyContext> {
        let typeOptions = [("", "All types")] + OrganisationType.allCases.map { ($0.rawValue, $0.pluralName) }
        return .form(
            .class("search-form"), .method(.get), .action(SiteURL.organisations.path), .attribute(named: "role", value: "search"),
            Components.textField(.init(id: "q", label: "Name or ODS code", value: filter?.text ?? "", width: "field--wide")),
            Components.selectField(.init(id: "type", label: "Type", value: filter?.type?.rawValue ?? ""), options: typeOptions),
            .div(.class("form-group"), .button(.type(.submit), .class("button"), .text("Search")))
        )
    }

    private static func results(_ filter: OrganisationDirectory.Filter?, _ results: (total: Int, items: [OrganisationRecord])) -> Node<HTML.BodyContext> {
        guard !results.items.isEmpty else {
            return Components.emptyState(
                title: "No organisations match",
                message: "Check the spelling or the ODS code, or clear the search to see the whole tree.",
                actions: [("Show all organisations", .organisations)]
            )
        }
        return .group(
            .h2(.text("\(Words.count(results.total, "organisation")) found")),
            .if(results.total > results.items.count, .p(.text("Showing the first \(results.items.count). Narrow the search to see the rest."))),
            Components.scrollableTable(label: "Search results", .table(
                .class("table"),
                .thead(.tr(.th(.text("Organisation")), .th(.text("ODS code")), .th(.text("Type")), .th(.text("Parent")))),
                .tbody(.forEach(results.items) { item in
                    .tr(
                        .td(.a(.href(SiteURL.organisation(item.odsCode).path), .text(item.name))),
                        .td(.text(item.odsCode)),
                        .td(.text(item.type.displayName)),
                        .td(.text(item.parentName ?? "—"))
                    )
                })
            ))
        )
    }

    private static func tree(_ model: Model) -> Node<HTML.BodyContext> {
        guard !model.roots.isEmpty else {
            return model.canAdminister
                ? Components.emptyState(
                    title: "No organisations yet",
                    message: "Start with your NHS England region, or import the whole tree from a CSV file with the columns ods_code, name, type, parent_ods_code and dspt_category.",
                    actions: [("Add an organisation", .newOrganisation), ("Import from CSV", .importOrganisations)])
                : Components.emptyState(
                    title: "No organisations for you yet",
                    message: "You do not hold a role in any organisation. Ask your organisation's Assure administrator to give you one.",
                    actions: [])
        }
        var writer = HTMLWriter(capacity: model.total * 140)
        writer.raw(#"<ul class="org-tree">"#)
        for root in model.roots { branch(root, in: model, depth: 0, into: &writer) }
        writer.raw("</ul>")
        return .group(.h2(.text("\(Words.count(model.total, "organisation"))")), .raw(writer.html))
    }

    /// Regions open by default; deeper levels folded so 7,000 organisations stay scannable.
    private static func branch(_ row: OrganisationTreeRow, in model: Model, depth: Int, into writer: inout HTMLWriter) {
        let children = model.childrenByParent[row.odsCode] ?? []
        writer.raw("<li>")
        // Regions open; everything open for someone who can read only a handful of organisations.
        let openAll = !(model.readable?.everything ?? true) && (model.readable?.codes.count ?? 0) <= 50
        if !children.isEmpty { writer.raw(depth == 0 || openAll ? "<details open><summary>" : "<details><summary>") }
        // Organisations shown only to give the tree its shape are named but not linked.
        if model.readable?.contains(row.odsCode) ?? true {
            writer.raw(#"<a href=""#)
            writer.text(SiteURL.organisation(row.odsCode).path)
            writer.raw(#"">"#)
            writer.text(row.name)
            writer.raw("</a>")
        } else {
            writer.text(row.name)
        }
        writer.raw(#"<span class="org-tree__code">"#)
        writer.text(row.odsCode)
        writer.raw("</span>")
        guard !children.isEmpty else { return writer.raw("</li>") }
        let groups = Dictionary(grouping: children, by: \.type)
        let ordered = OrganisationType.allCases.compactMap { type in groups[type].map { (type, $0) } }
        writer.raw(#"<span class="org-tree__count">"#)
        writer.text(countText(ordered))
        writer.raw("</span></summary>")
        for (type, members) in ordered {
            if ordered.count > 1 {
                writer.raw(#"<div class="org-tree__group">"#)
                writer.text(type.pluralName)
                writer.raw("</div>")
            }
            writer.raw("<ul>")
            for member in members { branch(member, in: model, depth: depth + 1, into: &writer) }
            writer.raw("</ul>")
        }
        writer.raw("</details></li>")
    }

    private static func countText(_ groups: [(OrganisationType, [OrganisationTreeRow])]) -> String {
        groups.map { "\($0.1.count) \($0.1.count == 1 ? $0.0.displayName : $0.0.pluralDisplayName)" }.joined(separator: ", ")
    }
}
