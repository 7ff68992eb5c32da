import AssureCore
import Plot
import Vapor

/// Create (`/organisations/new`) and edit (`/organisations/{code}/edit`) forms. A rejected form is
/// shown again with what was typed, an error summary and a message beside each field.
enum OrganisationFormPage {
    struct FormInput: Content {
        var ods_code: String?
        var name: String?
        var type: String?
        var parent_ods_code: String?
        var dspt_category: String?
    }

    struct Model {
        var existingCode: String?
        var existingName: String?
        var input: FormInput
        var problems: [AssureError.FieldProblem] = []
    }

    static func new(req: Request) async throws -> Response {
        _ = try req.authoriseSystem(.administerSystem)
        let parent = req.query[String.self, at: "parent"] ?? ""
        return render(Model(input: FormInput(parent_ods_code: parent)))
    }

    static func create(req: Request) async throws -> Response {
        _ = try req.authoriseSystem(.administerSystem)
        let input = try req.content.decode(FormInput.self)
        do {
            let draft = try draft(from: input, code: input.ods_code ?? "")
            let record = try await OrganisationChanges(database: req.db, audit: req.auditContext).create(draft)
            return req.redirect(to: SiteURL.organisation(record.odsCode).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return render(Model(input: input, problems: problems(of: error)), status: error.status)
        }
    }

    static func edit(req: Request) async throws -> Response {
        let record = try await req.organisationContext(.editOrganisation).organisation
        let input = FormInput(ods_code: record.odsCode, name: record.name, type: record.type.rawValue,
                              parent_ods_code: record.parentCode ?? "", dspt_category: record.dsptCategory.map(String.init) ?? "")
        return render(Model(existingCode: record.odsCode, existingName: record.name, input: input))
    }

    static func update(req: Request) async throws -> Response {
        let record = try await req.organisationContext(.editOrganisation).organisation
        var input = try req.content.decode(FormInput.self)
        input.ods_code = record.odsCode
        do {
            let draft = try draft(from: input, code: record.odsCode)
            try await req.authoriseMove(from: record, to: draft)
            _ = try await OrganisationChanges(database: req.db, audit: req.auditContext).update(record.odsCode, to: draft)
            return req.redirect(to: SiteURL.organisation(record.odsCode).path, redirectType: .normal)
        } catch let error as AssureError where error.status.code < 500 {
            return render(Model(existingCode: record.odsCode, existingName: record.name, input: input, problems: problems(of: error)), status: error.status)
        }
    }

    private static func draft(from input: FormInput, code: String) throws -> OrganisationDraft {
        switch OrganisationDraft.parse(odsCode: code, name: input.name ?? "", type: input.type ?? "",
                                       parentCode: input.parent_ods_code ?? "", dsptCategory: input.dspt_category ?? "") {
        case .success(let draft): return draft
        case .failure(let errors): throw AssureError.invalid(errors.problems)
        }
    }

    /// Rule errors thrown by the tree check arrive as `RuleError`; show them like field errors.
    private static func problems(of error: AssureError) -> [AssureError.FieldProblem] {
        error.problems.isEmpty ? [.init(field: "ods_code", message: error.detail)] : error.problems
    }

    static func render(_ model: Model, status: HTTPResponseStatus = .ok) -> Response {
        let title = model.existingName.map { "Edit \($0)" } ?? "Add an organisation"
        var crumbs = [PageShell.Breadcrumb(title: "Organisations", url: .organisations)]
        if let code = model.existingCode, let name = model.existingName { crumbs.append(.init(title: name, url: .organisation(code))) }
        let organisation = model.existingCode.flatMap { code in model.existingName.map { (code, $0) } }
        let shell = PageShell(title: model.problems.isEmpty ? title : "Error: \(title)", breadcrumbs: crumbs,
                              organisation: organisation, section: organisation == nil ? .organisations : .overview)
        return Layout.response(shell, status: status, view(model, title: title))
    }

    static func view(_ model: Model, title: String) -> Node<HTML.BodyContext> {
        func error(_ field: String) -> String? { model.problems.message(for: field) }
        let action = model.existingCode.map { SiteURL.editOrganisation($0) } ?? .newOrganisation
        let types = [("", "Choose a type")] + OrganisationType.allCases.map { ($0.rawValue, $0.displayName.capitalisedFirst) }
        let categories = [("", "Not set"), ("1", "Category 1"), ("2", "Category 2"), ("3", "Category 3"), ("4", "Category 4")]
        return .group(
            Components.errorSummary(model.problems, fieldIDs: ["ods_code", "name", "type", "parent_ods_code", "dspt_category"]),
            .h1(.text(title)),
            .unwrap(model.existingCode) { code in
                .p(.text("ODS code \(code). The ODS code identifies the organisation and cannot be changed."))
            },
            .form(
                .method(.post), .action(action.path), .attribute(named: "novalidate"),
                Components.csrfField(),
                model.existingCode == nil
                    ? Components.textField(.init(id: "ods_code", label: "ODS code", hint: "From the Organisation Data Service, for example Y56 (region), QHG (ICB), RJ1 (trust) or A81001 (GP practice)",
                                                 value: model.input.ods_code ?? "", error: error("ods_code"), width: "field--short"))
                    : .input(.type(.hidden), .name("ods_code"), .value(model.existingCode ?? "")),
                Components.textField(.init(id: "name", label: "Name", value: model.input.name ?? "", error: error("name"))),
                Components.selectField(.init(id: "type", label: "Type", value: model.input.type ?? "", error: error("type")), options: types),
                Components.textField(.init(id: "parent_ods_code", label: "Parent ODS code",
                                           hint: "The organisation it reports to: an ICB's region, a trust's or practice's ICB. Leave empty for a region.",
                                           value: model.input.parent_ods_code ?? "", error: error("parent_ods_code"), width: "field--short")),
                Components.selectField(.init(id: "dspt_category", label: "DSPT category", hint: "The Data Security and Protection Toolkit category NHS England assigned",
                                             value: model.input.dspt_category ?? "", error: error("dspt_category")), options: categories),
                .div(.class("button-group"),
                     .button(.type(.submit), .class("button"), .text(model.existingCode == nil ? "Add organisation" : "Save changes")),
                     .a(.href(model.existingCode.map { SiteURL.organisation($0).path } ?? SiteURL.organisations.path), .text("Cancel")))
            )
        )
    }
}
