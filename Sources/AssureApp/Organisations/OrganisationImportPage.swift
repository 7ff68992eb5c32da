import AssureCore
import Plot
import Vapor

/// `/organisations/import`: upload a CSV of organisations; every problem is listed by line and
/// field, and nothing is imported unless the whole file is right.
enum OrganisationImportPage {
    struct Upload: Content {
        var file: File?
    }

    enum Outcome {
        case none
        case imported(OrganisationChanges.ImportSummary, fileName: String)
        case rejected([AssureError.FieldProblem], detail: String)
    }

    static func show(req: Request) async throws -> Response {
        _ = try req.authoriseSystem(.administerSystem)
        return Layout.response(shell(failed: false), view(.none))
    }

    static func upload(req: Request) async throws -> Response {
        _ = try req.authoriseSystem(.administerSystem)
        _ = try await req.bodyAfterAuthorisation(max: 10 * 1_048_576)
        let upload = try req.content.decode(Upload.self)
        guard let file = upload.file, file.data.readableBytes > 0 else {
            let problem = AssureError.FieldProblem(field: "file", message: "Choose a CSV file to import")
            return Layout.response(shell(failed: true), status: .unprocessableEntity, view(.rejected([problem], detail: problem.message)))
        }
        do {
            let text = try UTF8Text.checked(file.data, field: "file")
            let summary = try await OrganisationChanges(database: req.db, audit: req.auditContext).importRows(try OrganisationCSV.rows(from: text))
            return Layout.response(shell(failed: false), view(.imported(summary, fileName: file.filename)))
        } catch let error as AssureError where error.status.code < 500 {
            return Layout.response(shell(failed: true), status: error.status, view(.rejected(error.problems, detail: error.detail)))
        }
    }

    static func shell(failed: Bool) -> PageShell {
        PageShell(title: failed ? "Error: Import organisations" : "Import organisations",
                  breadcrumbs: [.init(title: "Organisations", url: .organisations)], section: .organisations)
    }

    static func view(_ outcome: Outcome) -> Node<HTML.BodyContext> {
        .group(
            outcomeBanner(outcome),
            .h1(.text("Import organisations")),
            .p(.text("Upload a CSV file with a header line and one organisation per line. Existing organisations (matched by ODS code) are updated; new ones are added. Parents may appear anywhere in the file.")),
            .table(
                .class("table"),
                .caption(.text("Columns")),
                .thead(.tr(.th(.text("Column")), .th(.text("What it holds")))),
                .tbody(
                    .tr(.td(.code("ods_code")), .td(.text("The organisation's ODS code, for example RJ1"))),
                    .tr(.td(.code("name")), .td(.text("Its name"))),
                    .tr(.td(.code("type")), .td(.text(OrganisationType.allCases.map(\.rawValue).joined(separator: ", ")))),
                    .tr(.td(.code("parent_ods_code")), .td(.text("The ODS code of the organisation it reports to; empty for a region"))),
                    .tr(.td(.code("dspt_category")), .td(.text("1, 2, 3 or 4, or empty")))
                )
            ),
            .form(
                .method(.post), .action(Components.uploadAction(.importOrganisations)), .enctype(.multipartData),
                .div(
                    .class("form-group"),
                    .label(.class("label"), .for("file"), .text("CSV file")),
                    .div(.class("hint"), .id("file-hint"), .text("Up to 10 MB, UTF-8 text")),
                    .input(.type(.file), .id("file"), .name("file"), .attribute(named: "accept", value: ".csv,text/csv"),
                           .attribute(named: "aria-describedby", value: "file-hint"))
                ),
                .button(.type(.submit), .class("button"), .text("Import"))
            )
        )
    }

    private static func outcomeBanner(_ outcome: Outcome) -> Node<HTML.BodyContext> {
        switch outcome {
        case .none:
            return .empty
        case .imported(let summary, let fileName):
            return .div(
                .class("panel"), .attribute(named: "role", value: "status"),
                .h2(.text("Imported \(fileName)")),
                .p(.text("\(summary.inserted) added, \(summary.updated) updated, \(summary.unchanged) unchanged.")),
                .p(.a(.href(SiteURL.organisations.path), .text("See the organisation tree")))
            )
        case .rejected(let problems, let detail):
            return .group(
                Components.errorSummary(problems.isEmpty ? [.init(field: "file", message: detail)] : Array(problems.prefix(50)), fieldIDs: ["file"]),
                .p(.class("lede"), .text("Nothing was imported. Correct the file and upload it again.")),
                .if(problems.count > 50, .p(.text("Showing the first 50 of \(problems.count) problems.")))
            )
        }
    }
}
