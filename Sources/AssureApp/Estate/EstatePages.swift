import AssureCore
import Foundation
import Plot
import SQLKit
import Vapor

struct EstateRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.estate(SiteURL.code).pathComponents, use: EstatePages.overview)
        routes.on(.POST, SiteURL.estateImport(SiteURL.code).pathComponents, body: .stream, use: EstatePages.importInventory)
        routes.post(SiteURL.estateAnalyse(SiteURL.code).pathComponents, use: EstatePages.analyse)
        routes.post(SiteURL.estateSettings(SiteURL.code).pathComponents, use: EstatePages.saveSettings)
        routes.get(SiteURL.estateDevices(SiteURL.code).pathComponents, use: EstatePages.devices)
        routes.get(SiteURL.estateDevicesCSV(SiteURL.code).pathComponents, use: EstatePages.devicesCSV)
        routes.get(SiteURL.estateDevice(SiteURL.code, SiteURL.deviceKey).pathComponents, use: EstatePages.device)
        routes.get(SiteURL.estateVulnerability(SiteURL.code, SiteURL.cveID).pathComponents, use: EstatePages.vulnerability)
        routes.get(SiteURL.estateUnmapped(SiteURL.code).pathComponents, use: EstatePages.unmapped)
        routes.post(SiteURL.titleRules.pathComponents, use: EstatePages.addTitleRule)
        routes.get(SiteURL.cyberAlerts(SiteURL.code).pathComponents, use: CyberAlertPages.board)
        routes.post(SiteURL.cyberAlertResponse(SiteURL.code, SiteURL.alertReference).pathComponents, use: CyberAlertPages.respond)
        routes.post(SiteURL.newCyberAlert.pathComponents, use: CyberAlertPages.add)
    }
}

/// The estate pages: overview with roll-up, devices, a device, a vulnerability, unmapped titles.
enum EstatePages {
    static func shell(_ context: OrganisationContext, _ title: String, problems: Bool = false, crumbs: [PageShell.Breadcrumb] = []) -> PageShell {
        let base: [PageShell.Breadcrumb] = title == "Estate" ? [] : [.init(title: "Estate", url: .estate(context.organisation.odsCode))]
        return context.shell(title, problems: problems, crumbs: base + crumbs, section: .estate)
    }

    static func figure(_ title: String, _ value: String, _ note: String, link: String?, alert: Bool = false) -> Node<HTML.BodyContext> {
        .div(.class("card"), .h3(.text(title)), .p(.class("card__figure"), .text(value)),
             .p(.class("muted"), .text(note)),
             .if(alert, .span(.class("tag tag--red"), .text("Needs action"))),
             .unwrap(link) { .p(.a(.href($0), .text("See the devices"))) })
    }

    /// A form of the page (import or thresholds) as it was sent, with what is wrong with it, to
    /// show again beside its fields.
    struct SubmittedForm {
        var values: [String: String]
        var problems: [AssureError.FieldProblem]
    }

    static let importFields = ["format", "mapping", "file", "allow_large_removal"]
    static let thresholdFields = ["known_exploited_percent", "unsupported_os_percent"]

    static func overview(req: Request) async throws -> Response {
        try await overview(req, context: try await req.organisationContext(.read), submitted: nil)
    }

    static func overview(_ req: Request, context: OrganisationContext, submitted: SubmittedForm?) async throws -> Response {
        let model = try await EstateOverviewPage.load(context, knowledge: try await req.application.knowledgeBase(), submitted: submitted)
        let problems = !model.problems.isEmpty
        return Layout.response(shell(context, "Estate", problems: problems), status: problems ? .unprocessableEntity : .ok, EstateOverviewPage.view(model))
    }

    /// A problem with an imported file as the form shows it: beside its own field, or beside the
    /// file naming the line and column, each said once.
    static func besideImportForm(_ problem: AssureError.FieldProblem) -> AssureError.FieldProblem {
        let field = importFields.contains(problem.field) ? problem.field : "file"
        var message = field == problem.field ? problem.message : "\(problem.field): \(problem.message)"
        if let line = problem.line, !message.lowercased().hasPrefix("line \(line)") { message = "Line \(line): \(message)" }
        return .init(field: field, message: message.capitalisedFirst, line: nil)
    }

    static func importInventory(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        guard req.headers.contentType?.type == "multipart" else {
            throw AssureError.invalid([RuleError(field: "file", message: "Choose an inventory file to upload")])
        }
        struct Upload: Content { var format: String?; var mapping: String?; var allow_large_removal: String?; var file: File? }
        try await req.uploadAfterAuthorisation()
        let upload = try req.content.decode(Upload.self)
        let summary: InventoryImport.Summary
        do {
            guard let file = upload.file, file.data.readableBytes > 0 else { throw AssureError.invalid([RuleError(field: "file", message: "Choose an inventory file to upload")]) }
            summary = try await EstateAPI.importBody(Data(file.data.readableBytesView), format: upload.format ?? "csv", mapping: upload.mapping ?? "",
                                                     allowLargeRemoval: EstateAPI.yes(upload.allow_large_removal), context: context, req: req)
        } catch let error as AssureError where error.status.code < 500 && error.status != .forbidden {
            // A refused file (not UTF-8, broken, a large removal) is shown beside the form, nothing imported.
            let problems = error.problems.isEmpty ? [.init(field: "file", message: error.detail, line: nil)] : error.problems.map(Self.besideImportForm)
            let sent = SubmittedForm(values: ["format": upload.format ?? "csv", "mapping": upload.mapping ?? ""], problems: problems)
            return try await overview(req, context: context, submitted: sent)
        }
        let outcome = try await EstateAPI.analyse(context, req: req)
        let content: Node<HTML.BodyContext> = .group(
            Components.notice(title: "Inventory imported",
                              .p(.text("\(Words.count(summary.rows, "row")): \(Words.count(summary.inserted, "device")) added, \(summary.updated) updated, \(summary.removed) removed, \(Words.count(summary.software, "software row")), \(Words.count(summary.rejected, "row")) rejected.")),
                              .p(.text("Analysed: \(outcome.roll_up.devices) devices, patch compliance \(outcome.roll_up.patchCompliancePercent)%."))),
            .if(!summary.problems.isEmpty, .group(.h2(.text("Rows not imported")), Components.errorSummary(summary.problems))),
            .p(.a(.class("button"), .href(SiteURL.estate(context.organisation.odsCode).path), .text("Back to the estate")))
        )
        return Layout.response(shell(context, "Inventory imported"), content)
    }

    static func analyse(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        _ = try await EstateAPI.analyse(context, req: req)
        return req.redirect(to: SiteURL.estate(context.organisation.odsCode).path)
    }

    static func saveSettings(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.manageSettings)
        struct Form: Content { var known_exploited_percent: String?; var unsupported_os_percent: String? }
        let form = try req.content.decode(Form.self)
        var problems: [RuleError] = []
        let kev = Double(form.known_exploited_percent ?? ""), os = Double(form.unsupported_os_percent ?? "")
        if kev == nil { problems.append(RuleError(field: "known_exploited_percent", message: "Enter the known-exploited exposure as a percentage from 0 to 100")) }
        if os == nil { problems.append(RuleError(field: "unsupported_os_percent", message: "Enter the unsupported operating systems share as a percentage from 0 to 100")) }
        // A field that is not a number is already reported; the other is still checked.
        let thresholds = EstateRiskThresholds(knownExploitedPercent: kev ?? 0, unsupportedOSPercent: os ?? 0)
        problems += thresholds.problems()
        guard problems.isEmpty else {
            // Shown again beside the fields, as every form does, rather than on an error page.
            let sent = SubmittedForm(values: ["known_exploited_percent": form.known_exploited_percent ?? "", "unsupported_os_percent": form.unsupported_os_percent ?? ""],
                                     problems: AssureError.invalid(problems).problems)
            return try await overview(req, context: context, submitted: sent)
        }
        let organisation = context.organisation, audit = req.auditContext
        try await req.db.writeTransaction { db in
            let sql = try db.sqlDatabase
            try await sql.raw("DELETE FROM estate_settings WHERE organisation_id = \(bind: organisation.id)").run()
            try await sql.insert(into: "estate_settings").columns("organisation_id", "known_exploited_percent", "unsupported_os_percent")
                .values(SQLBind(organisation.id), SQLBind(thresholds.knownExploitedPercent), SQLBind(thresholds.unsupportedOSPercent)).run()
            try await AuditTrail.append([audit.event("update", "estate-settings", organisation.odsCode, organisation: organisation.odsCode, changes: ["known_exploited_percent": .init(before: nil, after: String(thresholds.knownExploitedPercent)),
                                                              "unsupported_os_percent": .init(before: nil, after: String(thresholds.unsupportedOSPercent))])], on: db)
        }
        return req.redirect(to: SiteURL.estate(organisation.odsCode).path)
    }

    static func devices(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let (exposure, search, page) = try EstateQueries.deviceFilter(req)
        let model = try await EstateDevicesPage.load(context, exposure: exposure, search: search, page: page)
        return Layout.response(shell(context, "Devices"), EstateDevicesPage.view(model))
    }

    static func devicesCSV(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let (exposure, search, _) = try EstateQueries.deviceFilter(req)
        let (_, devices) = try await EstateQueries.devices(of: context.organisation.id, exposure: exposure, search: search, limit: 1_000_000, offset: 0, on: sql)
        let data = try SpreadsheetCSV.write(header: ["device_id", "hostname", "type", "os", "os_build", "site", "owner", "criticality", "clinical", "last_seen", "cves",
                                                     "known_exploited", "ransomware", "highest_score", "severity", "unsupported", "unsupported_os", "patch_compliant"],
                                            rows: devices.map { d in
            [d.device_id, d.hostname, d.type, d.os, d.os_build, d.site, d.owner, d.criticality, d.clinical ? "yes" : "no", d.last_seen ?? "", String(d.cves),
             String(d.known_exploited), d.ransomware ? "yes" : "no", d.highest_score.map { String($0) } ?? "", d.severity, String(d.unsupported),
             d.unsupported_os ? "yes" : "no", d.patch_compliant ? "yes" : "no"]
        })
        return AssessmentReports.download(data, type: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]),
                                          name: "estate-\(context.organisation.odsCode)-\(exposure.rawValue)-\(context.today).csv")
    }

    static func device(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let key = try req.pathParameter(SiteURL.deviceKey)
        let code = context.organisation.odsCode
        guard let detail = try await EstateQueries.device(key, of: context.organisation.id, knowledge: try await req.application.knowledgeBase(),
                                                          mapping: try await EstateAnalysisRunner.titleMapping(sql), on: sql) else {
            throw AssureError.notFound("\(context.organisation.name) has no device '\(key)'")
        }
        return Layout.response(shell(context, detail.device.hostname, crumbs: [.init(title: "Devices", url: .estateDevices(code))]),
                               EstateDevicePage.view(.init(code: code, detail: detail)))
    }

    static func vulnerability(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let cve = try req.pathParameter(SiteURL.cveID).uppercased()
        guard CVEIdentifier.isValid(cve) else { throw AssureError.invalid([RuleError(field: "cve", message: "'\(cve)' is not a CVE id such as CVE-2024-21413")]) }
        guard let v = try await EstateQueries.vulnerability(cve, of: context.organisation.id, knowledge: try await req.application.knowledgeBase(), on: sql) else {
            throw AssureError.notFound("\(cve) is not in the knowledge base")
        }
        let model = EstateVulnerabilityPage.Model(code: context.organisation.odsCode, organisationName: context.organisation.name, vulnerability: v)
        return Layout.response(shell(context, v.cve), EstateVulnerabilityPage.view(model))
    }

    static func unmapped(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        return Layout.response(shell(context, "Unmapped software"), UnmappedSoftwarePage.view(try await UnmappedSoftwarePage.load(context)))
    }

    static func addTitleRule(req: Request) async throws -> Response {
        let identity = try req.authoriseSystem(.administerSystem)
        struct Form: Content { var name_pattern: String?; var vendor_pattern: String?; var cpe_vendor: String?; var cpe_product: String?; var organisation: String? }
        let form = try req.content.decode(Form.self)
        let rule = TitleRule(name: form.name_pattern ?? "", vendor: form.vendor_pattern ?? "", cpeVendor: (form.cpe_vendor ?? "").trimmingCharacters(in: .whitespaces),
                             cpeProduct: (form.cpe_product ?? "").trimmingCharacters(in: .whitespaces))
        let code = (form.organisation ?? "").uppercased()
        do {
            try await addRule(rule, by: identity, req: req)
        } catch let error as AssureError where error.status == .unprocessableEntity && !code.isEmpty {
            // Sent back to the page it came from, with the values and the message beside each field.
            let context = try await req.organisationContext(.read, code: code)
            let values = ["name_pattern": form.name_pattern ?? "", "vendor_pattern": form.vendor_pattern ?? "", "cpe_vendor": form.cpe_vendor ?? "", "cpe_product": form.cpe_product ?? ""]
            let model = try await UnmappedSoftwarePage.load(context, submitted: .init(values: values, problems: error.problems))
            return Layout.response(shell(context, "Unmapped software", problems: true), status: .unprocessableEntity, UnmappedSoftwarePage.view(model))
        }
        let back = !code.isEmpty && code.allSatisfy({ $0.isLetter || $0.isNumber }) ? SiteURL.estateUnmapped(code).path : SiteURL.organisations.path
        return req.redirect(to: back)
    }

    /// Stores a title rule, refusing one that is malformed or already there.
    private static func addRule(_ rule: TitleRule, by identity: Identity, req: Request) async throws {
        let problems = rule.problems()
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        let audit = req.auditContext
        try await req.db.writeTransaction { db in
            let sql = try db.sqlDatabase
            let exists = try await sql.raw("SELECT COUNT(*) AS n FROM estate_title_rules WHERE name_pattern = \(bind: rule.namePattern) AND vendor_pattern = \(bind: rule.vendorPattern)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            guard exists == 0 else { throw AssureError.invalid([RuleError(field: "name_pattern", message: "A rule for '\(rule.namePattern)' already exists")]) }
            try await sql.insert(into: "estate_title_rules").columns("id", "name_pattern", "vendor_pattern", "part", "cpe_vendor", "cpe_product", "shipped")
                .values(SQLBind(UUID()), SQLBind(rule.namePattern), SQLBind(rule.vendorPattern), SQLBind(rule.part), SQLBind(rule.cpeVendor), SQLBind(rule.cpeProduct), SQLBind(false)).run()
            try await AuditTrail.append([audit.acting(as: identity.email).event("create", "title-rule", rule.namePattern, organisation: nil,
                                                                                changes: ["cpe": .init(before: nil, after: rule.key)])], on: db)
        }
    }
}
