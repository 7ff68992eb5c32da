import AssureCore
import CSV
import Foundation
import Plot
import SQLKit
import Vapor

/// `/organisations/{code}/audit`: the auditor's view of one organisation's audit trail, newest first,
/// filtered by action, actor, record type and dates; the same filters export as CSV.
enum AuditTrailPage {
    struct Model {
        var organisation: OrganisationRecord
        var filter: AuditFilter
        var total: Int
        var entries: [AuditEntry]
        var actions: [String]
        var actors: [String]
        var problems: [AssureError.FieldProblem] = []
    }

    static func handle(req: Request) async throws -> Response {
        let organisation = try await req.organisationContext(.readAuditTrail).organisation
        let sql = try req.db.sqlDatabase
        let choices = try await AuditQuery.choices(for: organisation.odsCode, on: sql)
        do {
            let filter = try AuditFilter.read(from: req)
            let result = try await AuditQuery.entries(for: organisation.odsCode, filter, limit: AuditFilter.pageSize, on: sql)
            let model = Model(organisation: organisation, filter: filter, total: result.total, entries: result.entries,
                              actions: choices.actions, actors: choices.actors)
            return Layout.response(shell(model), view(model))
        } catch let error as AssureError where error.status == .badRequest {
            let model = Model(organisation: organisation, filter: AuditFilter(), total: 0, entries: [], actions: choices.actions,
                              actors: choices.actors, problems: error.problems)
            return Layout.response(shell(model), status: .badRequest, view(model))
        }
    }

    static func csv(req: Request) async throws -> Response {
        let organisation = try await req.organisationContext(.readAuditTrail).organisation
        let sql = try req.db.sqlDatabase
        let result = try await AuditQuery.entries(for: organisation.odsCode, try AuditFilter.read(from: req), limit: nil, on: sql)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        let date = String(AuditEntry.timestamp(req.application.clock.now()).prefix(10))
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"audit-\(organisation.odsCode)-\(date).csv\"")
        return Response(status: .ok, headers: headers, body: .init(data: try AuditCSV.write(result.entries)))
    }

    static func shell(_ model: Model) -> PageShell {
        PageShell(title: model.problems.isEmpty ? "Audit trail" : "Error: Audit trail",
                  breadcrumbs: [.init(title: "Organisations", url: .organisations),
                                .init(title: model.organisation.name, url: .organisation(model.organisation.odsCode))],
                  organisation: (model.organisation.odsCode, model.organisation.name), section: .auditTrail)
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.organisation.odsCode
        let pages = max(1, (model.total + AuditFilter.pageSize - 1) / AuditFilter.pageSize)
        return .group(
            Components.errorSummary(model.problems, fieldIDs: ["from", "to", "page"]),
            .h1(.text("Audit trail")),
            .p(.class("lede"), .text("Every change to \(model.organisation.name)'s records, newest first. Each entry is chained to the one before it by a SHA-256 hash, so any later edit, deletion or reordering is detected by assure audit verify.")),
            filterForm(model),
            model.entries.isEmpty
                ? Components.emptyState(title: "No entries", message: model.filter.queryItems.isEmpty
                    ? "Nothing has been recorded for \(model.organisation.name) yet. Changes to its records appear here as they are made."
                    : "No entries match these filters. Widen the dates or clear the filters.", actions: [])
                : .group(
                    .p(.class("button-group"),
                       .text("\(model.total) entr\(model.total == 1 ? "y" : "ies") · page \(model.filter.page) of \(pages)"),
                       .a(.class("button button--secondary"), .href(SiteURL.auditCSV(code).with(query: model.filter.queryItems)), .text("Download CSV"))),
                    Components.scrollableTable(label: "Audit entries", table(model.entries)),
                    pager(model, pages: pages)
                )
        )
    }

    private static func filterForm(_ model: Model) -> Node<HTML.BodyContext> {
        let filter = model.filter
        return .form(
            .class("search-form"), .method(.get), .action(SiteURL.auditTrail(model.organisation.odsCode).path),
            Components.selectField(.init(id: "action", label: "Action", value: filter.action ?? ""),
                                   options: [("", "Any action")] + model.actions.map { ($0, $0) }),
            Components.selectField(.init(id: "actor", label: "Who", value: filter.actor ?? ""),
                                   options: [("", "Anyone")] + model.actors.map { ($0, $0) }),
            Components.dateField(.init(id: "from", label: "From", value: filter.from ?? "",
                                       error: model.problems.message(for: "from"), width: "field--short")),
            Components.dateField(.init(id: "to", label: "To", value: filter.to ?? "",
                                       error: model.problems.message(for: "to"), width: "field--short")),
            .div(.class("form-group"), .button(.type(.submit), .class("button"), .text("Filter")))
        )
    }

    private static func table(_ entries: [AuditEntry]) -> Node<HTML.BodyContext> {
        .table(
            .class("table"),
            .thead(.tr(.th(.text("#")), .th(.text("When (UTC)")), .th(.text("Who")), .th(.text("Action")), .th(.text("Record")),
                       .th(.text("What changed")), .th(.text("Request")))),
            .tbody(.forEach(entries) { entry in
                .tr(
                    .td(.text(String(entry.sequence))),
                    .td(.text(entry.recordedAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""))),
                    .td(.text(entry.actor)),
                    .td(.text(entry.action)),
                    .td(.text("\(entry.entityType) \(entry.entityID)")),
                    .td(changeList(entry.changes)),
                    .td(.span(.class("muted"), .text([entry.clientAddress, entry.requestID.map { String($0.prefix(8)) }].compactMap { $0 }.joined(separator: " · "))))
                )
            })
        )
    }

    /// Shows `{"name":{"before":"A","after":"B"}}` as "name: A → B".
    private static func changeList(_ json: String) -> Node<HTML.BodyContext> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]], !object.isEmpty else {
            return .text("—")
        }
        return .ul(.class("change-list"), .forEach(object.keys.sorted()) { field in
            let change = object[field] ?? [:]
            let before = change["before"] as? String ?? "(none)"
            let after = change["after"] as? String ?? "(none)"
            return .li(.strong(.text(field)), .text(": \(before) → \(after)"))
        })
    }

    private static func pager(_ model: Model, pages: Int) -> Node<HTML.BodyContext> {
        guard pages > 1 else { return .empty }
        let url = SiteURL.auditTrail(model.organisation.odsCode)
        return .nav(
            .class("pager"), .ariaLabel("Pages"),
            .if(model.filter.page > 1, .a(.href(url.with(query: model.filter.queryItems + [("page", String(model.filter.page - 1))])), .text("Newer entries"))),
            .if(model.filter.page < pages, .a(.href(url.with(query: model.filter.queryItems + [("page", String(model.filter.page + 1))])), .text("Older entries")))
        )
    }
}

/// CSV of audit entries for auditors' spreadsheets.
enum AuditCSV {
    static let header = ["sequence", "recorded_at", "actor", "organisation_code", "action", "entity_type", "entity_id",
                         "changes", "request_id", "client_address", "previous_hash", "hash"]

    static func write(_ entries: [AuditEntry]) throws -> Data {
        try SpreadsheetCSV.write(header: header, rows: entries.map { entry in
            [String(entry.sequence), entry.recordedAt, entry.actor, entry.organisationCode ?? "", entry.action, entry.entityType,
             entry.entityID, entry.changes, entry.requestID ?? "", entry.clientAddress ?? "", entry.previousHash, entry.hash]
        })
    }
}
