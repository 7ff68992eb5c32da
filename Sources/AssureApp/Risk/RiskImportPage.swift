import AssureCore
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/risks/import`: upload an existing register (a Datix export, a
/// spreadsheet) as CSV, naming which of its columns hold which field. Every problem is listed by
/// line and column; nothing is imported unless the whole file is right.
enum RiskImportPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.editAnyRecord)
        return Layout.response(shell(context, failed: false), view(context, mapping: [:], problems: [], imported: nil))
    }

    static func upload(req: Request) async throws -> Response {
        let context = try await req.riskContext(.editAnyRecord)
        _ = try await req.bodyAfterAuthorisation(max: 10 * 1_048_576)
        struct Upload: Content { var file: File? }
        let file = try req.content.decode(Upload.self).file
        let mapping = RiskImport.mapping(from: (try? req.content.decode([String: String].self)) ?? [:])
        do {
            guard let file, file.data.readableBytes > 0 else {
                throw AssureError.invalid([RuleError(field: "file", message: "Choose a CSV file to import")])
            }
            let count = try await context.register.importFile(try UTF8Text.checked(file.data, field: "file"), mapping: mapping)
            return Layout.response(shell(context, failed: false), view(context, mapping: mapping, problems: [], imported: (count, file.filename)))
        } catch let error as AssureError where error.status.code < 500 {
            return Layout.response(shell(context, failed: true), status: error.status, view(context, mapping: mapping, problems: error.problems, imported: nil))
        }
    }

    /// `map_title=Risk Title` and so on: which column of the file holds each field.
    static func shell(_ context: RiskContext, failed: Bool) -> PageShell {
        context.shell("Import risks", problems: failed, crumbs: [.init(title: "Risk register", url: .risks(context.organisation.odsCode))])
    }

    static func view(_ context: RiskContext, mapping: [String: String], problems: [AssureError.FieldProblem], imported: (Int, String)?) -> Node<HTML.BodyContext> {
        let code = context.organisation.odsCode
        return .group(
            Components.errorSummary(Array(problems.prefix(100)), fieldIDs: ["file"]),
            .if(problems.count > 100, .p(.class("error-message"), .text("\(problems.count - 100) more problems are not shown. Nothing was imported."))),
            .unwrap(imported) { count, name in
                Components.notice(title: "Imported \(Words.count(count, "risk"))", .p(.text("From \(name). "), .a(.href(SiteURL.risks(code).path), .text("See the register"))))
            },
            .h1(.text("Import risks")),
            .p(.class("lede"), .text("Upload \(context.organisation.name)'s existing register as CSV with a header line. Each risk is numbered after the ones already here. If any line has a problem, nothing is imported and every problem is listed.")),
            Components.scrollableTable(label: "Fields", .table(
                .class("table"),
                .caption(.text("Fields")),
                .thead(.tr(.th(.text("Field")), .th(.text("Needed")), .th(.text("What it holds")))),
                .tbody(.forEach(RiskDraft.Input.fields) { field in
                    .tr(.td(.code(.text(field))), .td(.text(RiskImport.required.contains(field) ? "Yes" : "No")), .td(.text(describe(field, context))))
                }))),
            .form(
                .method(.post), .action(Components.uploadAction(.importRisks(code))), .enctype(.multipartData),
                .div(.class("form-group"),
                     .label(.class("label"), .for("file"), .text("CSV file")),
                     .div(.class("hint"), .id("file-hint"), .text("Up to 10 MB, UTF-8 text")),
                     .input(.type(.file), .id("file"), .name("file"), .attribute(named: "accept", value: ".csv,text/csv"), .attribute(named: "aria-describedby", value: "file-hint"))),
                .details(.class("panel"), .if(!mapping.isEmpty, .attribute(named: "open")),
                         .summary(.text("My file's columns have other names")),
                         .p(.text("Type the name of your file's column for each field that is named differently, for example Datix's \"Risk Title\" for title. Leave the rest empty.")),
                         .div(.class("appetite-grid"), .forEach(RiskDraft.Input.fields) { field in
                             Components.textField(.init(id: "map_\(field)", label: field, value: mapping[field] ?? "", width: "field--medium"))
                         })),
                .button(.type(.submit), .class("button"), .text("Import"))
            )
        )
    }

    private static func describe(_ field: String, _ context: RiskContext) -> String {
        switch field {
        case "category": return RiskCategory.allCases.map(\.rawValue).joined(separator: ", ")
        case "owner", "handler": return "Email address of someone with a role in \(context.organisation.name)"
        case "opened": return "YYYY-MM-DD"
        case "status": return "open (if empty), closed, tolerated or transferred"
        case _ where field.hasSuffix("_likelihood"): return "1–\(context.matrix.likelihood.count) or " + context.matrix.likelihood.map(\.label).joined(separator: ", ")
        case _ where field.hasSuffix("_consequence"): return "1–\(context.matrix.consequence.count) or " + context.matrix.consequence.map(\.label).joined(separator: ", ")
        default: return "Text"
        }
    }
}
