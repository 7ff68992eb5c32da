import AssureCore
import Foundation
import Plot
import Vapor

/// `/organisations/{code}/risk-settings`: the matrix the register scores on (with its bands,
/// review intervals and consequence descriptors), the appetite per category and the escalation
/// threshold. Organisation administrators change them; everyone who reads the register sees them.
enum RiskSettingsPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        return try await render(context, settings: context.settings, problems: [], saved: false)
    }

    static func save(req: Request) async throws -> Response {
        let context = try await req.riskContext(.manageSettings)
        let form = try req.content.decode([String: String].self)
        var settings = context.settings
        var problems: [RuleError] = []
        settings.matrixKey = form["matrix"] ?? settings.matrixKey
        for category in RiskCategory.allCases {
            let field = "appetite_\(category.rawValue)"
            let raw = (form[field] ?? "").trimmingCharacters(in: .whitespaces)
            if raw.isEmpty { settings.appetite[category] = nil }
            else if let value = Int(raw) { settings.appetite[category] = value }
            else { problems.append(RuleError(field: field, message: "\(category.displayName) appetite must be a whole-number score")) }
        }
        if let value = Int((form["escalation_threshold"] ?? "").trimmingCharacters(in: .whitespaces)) { settings.escalationThreshold = value }
        else { problems.append(RuleError(field: "escalation_threshold", message: "Enter the escalation threshold as a score")) }
        do {
            if !problems.isEmpty { throw AssureError.invalid(problems) }
            try await context.register.saveSettings(settings)
            let updated = try await req.riskContext(.read)
            return try await render(updated, settings: updated.settings, problems: [], saved: true)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(context, settings: settings, problems: error.problems, saved: false, status: error.status)
        }
    }

    /// Saves the organisation's own copy of the matrix in use, with edited bands (labels, ranges,
    /// review intervals) and consequence descriptors; refused if the bands leave gaps or overlap.
    static func saveMatrix(req: Request) async throws -> Response {
        let context = try await req.riskContext(.manageSettings)
        let form = try req.content.decode([String: String].self)
        var matrix = context.matrix
        var problems: [RuleError] = []
        for index in matrix.bands.indices {
            func number(_ field: String) -> Int? {
                let raw = (form["band_\(index)_\(field)"] ?? "").trimmingCharacters(in: .whitespaces)
                guard let value = Int(raw) else {
                    problems.append(RuleError(field: "band_\(index)_\(field)", message: "Band \(index + 1): \(field == "days" ? "review interval" : field) must be a whole number"))
                    return nil
                }
                return value
            }
            if let label = form["band_\(index)_label"]?.trimmingCharacters(in: .whitespaces), !label.isEmpty { matrix.bands[index].label = String(label.prefix(60)) }
            if let lower = number("lower") { matrix.bands[index].lower = lower }
            if let upper = number("upper") { matrix.bands[index].upper = upper }
            if let days = number("days") { matrix.bands[index].reviewEveryDays = days }
        }
        for (domain, entry) in matrix.domains.enumerated() {
            for level in entry.descriptors.indices {
                if let text = form["domain_\(domain)_\(level)"]?.trimmingCharacters(in: .whitespacesAndNewlines) {
                    guard !text.isEmpty, text.count <= 500 else {
                        problems.append(RuleError(field: "domain_\(domain)_\(level)", message: "\(entry.name), \(matrix.consequence[level].label): describe it in 1 to 500 characters"))
                        continue
                    }
                    matrix.domains[domain].descriptors[level] = text
                }
            }
        }
        do {
            if !problems.isEmpty { throw AssureError.invalid(problems) }
            try await context.register.saveMatrix(matrix)
            let updated = try await req.riskContext(.read)
            return try await render(updated, settings: updated.settings, problems: [], saved: true)
        } catch let error as AssureError where error.status.code < 500 {
            return try await render(context, settings: context.settings, problems: error.problems, saved: false, status: error.status, editing: matrix)
        }
    }

    static func render(_ context: RiskContext, settings: RiskSettings, problems: [AssureError.FieldProblem], saved: Bool,
                       status: HTTPResponseStatus = .ok, editing: RiskMatrix? = nil) async throws -> Response {
        let code = context.organisation.odsCode
        let matrices = try await context.register.matrices()
        let matrix = context.matrix
        let editable = context.may(.manageSettings)
        let content: Node<HTML.BodyContext> = .group(
            Components.errorSummary(problems, fieldIDs: Set(["matrix", "escalation_threshold"] + RiskCategory.allCases.map { "appetite_\($0.rawValue)" }
                + (0..<10).flatMap { i in ["label", "lower", "upper", "days"].map { "band_\(i)_\($0)" } })),
            .if(saved, Components.notice(title: "Saved", .p(.text("The register now uses these settings.")))),
            .h1(.text("Risk appetite and matrix")),
            .p(.class("lede"), .text("How \(context.organisation.name) scores risks, how much risk it will tolerate in each category, and when a risk goes to the next level.")),
            .if(editable, .form(
                .class("panel"), .method(.post), .action(SiteURL.riskSettings(code).path), .attribute(named: "novalidate"),
                Components.csrfField(),
                Components.selectField(.init(id: "matrix", label: "Risk matrix", hint: "Changing it affects risks added from now on; existing risks keep the matrix they were scored on",
                                             value: settings.matrixKey, error: problems.message(for: "matrix")), options: matrices.map { ($0.key, $0.name) }),
                .h2(.class("heading-m"), .text("Appetite: the highest tolerable score per category")),
                .div(.class("appetite-grid"), .forEach(RiskCategory.allCases) { category in
                    Components.textField(.init(id: "appetite_\(category.rawValue)", label: category.displayName,
                                               value: settings.appetite[category].map(String.init) ?? "", error: problems.message(for: "appetite_\(category.rawValue)"), width: "field--short"))
                }),
                Components.textField(.init(id: "escalation_threshold", label: "Escalation threshold",
                                           hint: "Risks scoring this or more appear on the next level's view (the Board Assurance Framework, the ICB)",
                                           value: String(settings.escalationThreshold), error: problems.message(for: "escalation_threshold"), width: "field--short")),
                .button(.type(.submit), .class("button"), .text("Save settings"))
            )),
            .if(!editable, Components.summaryList(RiskCategory.allCases.map { category in
                ("\(category.displayName) appetite", .text(settings.appetite[category].map { "Up to \($0)" } ?? "Not set"))
            } + [("Escalation threshold", .text(String(settings.escalationThreshold)))])),
            .h2(.class("heading-m"), .text(matrix.name)),
            .p(.class("hint"), .text("Source: \(matrix.source)")),
            Components.scrollableTable(label: "Bands", .table(
                .class("table"),
                .caption(.text("Bands")),
                .thead(.tr(.th(.text("Band")), .th(.text("Scores")), .th(.text("Reviewed every")), .th(.text("Acceptability")), .th(.text("Verified")))),
                .tbody(.forEach(matrix.bands) { band in
                    .tr(.td(Components.riskScore(band.lower, matrix)), .td(.text("\(band.lower)–\(band.upper)")), .td(.text("\(band.reviewEveryDays) days")),
                        .td(.text(band.acceptable ?? "—")), .td(.text(band.verified ?? "—")))
                }))),
            .if(!matrix.domains.isEmpty, Components.scrollableTable(label: "Consequence descriptors", .table(
                .class("table"),
                .caption(.text("Consequence descriptors by domain")),
                .thead(.tr(.th(.text("Domain")), .forEach(matrix.consequence) { .th(.text("\($0.score) \($0.label)")) })),
                .tbody(.forEach(matrix.domains) { domain in .tr(.th(.attribute(named: "scope", value: "row"), .text(domain.name)), .forEach(domain.descriptors) { .td(.text($0)) }) })
            ))),
            .if(editable, matrixForm(editing ?? matrix, code: code, problems: problems)),
            .p(.class("hint"), .text("An organisation can also define a whole matrix of its own (for example a 4×4) through the API: PUT /api/v1/organisations/\(code)/risk-matrices. Assure refuses a matrix whose bands leave gaps or overlap."))
        )
        return Layout.response(context.shell("Risk appetite and matrix", problems: !problems.isEmpty, crumbs: [.init(title: "Risk register", url: .risks(code))]),
                               status: status, content)
    }
}

extension RiskSettingsPage {
    static func matrixForm(_ matrix: RiskMatrix, code: String, problems: [AssureError.FieldProblem]) -> Node<HTML.BodyContext> {
        .form(
            .class("panel"), .method(.post), .action(SiteURL.riskMatrixEdit(code).path), .attribute(named: "novalidate"),
            .h2(.class("heading-m"), .text("Change this matrix's bands and descriptors")),
            .p(.text("Your changes are kept as \(matrix.name) for this organisation only. Bands must grade every score with no gaps or overlaps.")),
            Components.csrfField(),
            .forEach(Array(matrix.bands.enumerated())) { index, band in
                .fieldset(.class("fieldset"),
                          .element(named: "legend", nodes: [.class("fieldset__legend"), .text("Band \(index + 1): \(band.label)")]),
                          .div(.class("inline-form"),
                               Components.textField(.init(id: "band_\(index)_label", label: "Name", value: band.label, error: problems.message(for: "band_\(index)_label"), width: "field--short")),
                               Components.textField(.init(id: "band_\(index)_lower", label: "From score", value: String(band.lower), error: problems.message(for: "band_\(index)_lower"), width: "field--short")),
                               Components.textField(.init(id: "band_\(index)_upper", label: "To score", value: String(band.upper), error: problems.message(for: "band_\(index)_upper"), width: "field--short")),
                               Components.textField(.init(id: "band_\(index)_days", label: "Review every (days)", value: String(band.reviewEveryDays),
                                                          error: problems.message(for: "band_\(index)_days"), width: "field--short"))))
            },
            .forEach(Array(matrix.domains.enumerated())) { domain, entry in
                .fieldset(.class("fieldset"),
                          .element(named: "legend", nodes: [.class("fieldset__legend"), .text(entry.name)]),
                          .forEach(Array(entry.descriptors.enumerated())) { level, text in
                              Components.textField(.init(id: "domain_\(domain)_\(level)", label: "\(matrix.consequence[level].score) \(matrix.consequence[level].label)",
                                                         value: text, error: problems.message(for: "domain_\(domain)_\(level)")))
                          })
            },
            .button(.type(.submit), .class("button button--secondary"), .text("Save matrix"))
        )
    }
}

/// The risk register's pages.
struct RiskPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.risks(SiteURL.code).pathComponents, use: RiskRegisterPage.show)
        routes.get(SiteURL.risksCSV(SiteURL.code).pathComponents, use: RiskRegisterPage.csv)
        routes.get(SiteURL.newRisk(SiteURL.code).pathComponents, use: RiskFormPage.new)
        routes.post(SiteURL.newRisk(SiteURL.code).pathComponents, use: RiskFormPage.create)
        routes.get(SiteURL.heatMap(SiteURL.code).pathComponents, use: HeatMapPage.show)
        routes.get(SiteURL.importRisks(SiteURL.code).pathComponents, use: RiskImportPage.show)
        routes.on(.POST, SiteURL.importRisks(SiteURL.code).pathComponents, body: .stream, use: RiskImportPage.upload)
        routes.get(SiteURL.riskSettings(SiteURL.code).pathComponents, use: RiskSettingsPage.show)
        routes.post(SiteURL.riskSettings(SiteURL.code).pathComponents, use: RiskSettingsPage.save)
        routes.post(SiteURL.riskMatrixEdit(SiteURL.code).pathComponents, use: RiskSettingsPage.saveMatrix)
        routes.get(SiteURL.risk(SiteURL.code, SiteURL.riskReference).pathComponents, use: RiskPage.show)
        routes.get(SiteURL.riskAction(SiteURL.code, SiteURL.riskReference, .edit).pathComponents, use: RiskFormPage.edit)
        routes.post(SiteURL.riskAction(SiteURL.code, SiteURL.riskReference, .edit).pathComponents, use: RiskFormPage.update)
        for action in [SiteURL.RiskPageAction.review, .controls, .actions, .actionStatus] {
            routes.post(SiteURL.riskAction(SiteURL.code, SiteURL.riskReference, action).pathComponents, use: RiskPage.act(action))
        }
    }
}
