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
        let sql = try req.db.sqlDatabase
        let (exposure, search, page) = try EstateQueries.deviceFilter(req)
        let code = context.organisation.odsCode
        let (total, devices) = try await EstateQueries.devices(of: context.organisation.id, exposure: exposure, search: search, limit: 100, offset: (page - 1) * 100, on: sql)
        let pages = max(1, (total + 99) / 100)
        let content: Node<HTML.BodyContext> = .group(
            .h1(.text(exposure.label)),
            .form(.method(.get), .action(SiteURL.estateDevices(code).path), .class("filters"),
                  Components.selectField(.init(id: "exposure", label: "Show", value: exposure.rawValue, width: ""), options: EstateQueries.Exposure.allCases.map { ($0.rawValue, $0.label) }),
                  Components.textField(.init(id: "q", label: "Hostname or device id", value: search)),
                  .button(.type(.submit), .class("button button--secondary"), .text("Filter"))),
            .p(.text("\(Words.count(total, "device"))" + (pages > 1 ? ", page \(page) of \(pages)" : "")),
               .text(" "), .a(.href(SiteURL.estateDevicesCSV(code).with(query: [("exposure", exposure.rawValue), ("q", search)])), .text("Download as CSV"))),
            devices.isEmpty ? Components.emptyState(title: "No devices", message: "No device matches this filter.", actions: [("Back to the estate", .estate(code))])
                : Components.scrollableTable(label: "Devices", .table(.class("table"),
                    .thead(.tr(.th(.text("Device")), .th(.text("Type")), .th(.text("Operating system")), .th(.text("CVEs")), .th(.text("Worst")), .th(.text("Known exploited")), .th(.text("Unsupported")), .th(.text("Patch compliant")))),
                    .tbody(.forEach(devices) { device in
                        .tr(.td(.a(.href(SiteURL.estateDevice(code, device.device_id).path), .text(device.hostname))),
                            .td(.text(DeviceType(rawValue: device.type)?.displayName ?? device.type)), .td(.text(device.os)), .td(.text("\(device.cves)")),
                            .td(.text(device.highest_score.map { String(format: "%.1f", $0) } ?? (device.cves > 0 ? "Not scored" : "—"))),
                            .td(device.known_exploited > 0 ? .span(.class("tag tag--red"), .text("\(device.known_exploited)")) : .text("0")),
                            .td(.text(device.unsupported_os ? "OS and \(device.unsupported - 1) more" : "\(device.unsupported)")),
                            .td(.text(device.patch_compliant ? "Yes" : "No")))
                    }))),
            .if(pages > 1, .p(.class("button-group"),
                .if(page > 1, .a(.class("button button--secondary"), .href(SiteURL.estateDevices(code).with(query: [("exposure", exposure.rawValue), ("q", search), ("page", String(page - 1))])), .text("Previous page"))),
                .if(page < pages, .a(.class("button button--secondary"), .href(SiteURL.estateDevices(code).with(query: [("exposure", exposure.rawValue), ("q", search), ("page", String(page + 1))])), .text("Next page")))))
        )
        return Layout.response(shell(context, "Devices"), content)
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
        let d = detail.device
        let content: Node<HTML.BodyContext> = .group(
            .h1(.text(d.hostname)),
            Components.summaryList([
                ("Device id", .text(d.device_id)), ("Type", .text(DeviceType(rawValue: d.type)?.displayName ?? d.type)),
                ("Operating system", .group(.text("\(d.os) (\(d.os_build)) "), .if(d.unsupported_os, .span(.class("tag tag--red"), .text("Unsupported"))))),
                ("Site", .text(d.site.nonEmpty ?? "—")), ("Owner", .text(d.owner.nonEmpty ?? "—")), ("Criticality", .text(d.criticality.capitalized)),
                ("Supports clinical systems", .text(d.clinical ? "Yes" : "No")), ("Last seen", .text(d.last_seen ?? "—")),
                ("Patch compliant", .text(d.patch_compliant ? "Yes" : "No: a critical, high or known-exploited fix has been out more than 14 days")),
                ("Source", .text(d.source)), ("Analysed", .text(d.analysed_on ?? "Not yet")),
            ]),
            .h2(.text("Vulnerabilities (\(detail.vulnerabilities.count))")),
            detail.vulnerabilities.isEmpty ? .p(.text("No known vulnerability matches what this device runs.")) : Components.scrollableTable(label: "Vulnerabilities", .table(.class("table"),
                .thead(.tr(.th(.text("CVE")), .th(.text("CVSS")), .th(.text("Known exploited")), .th(.text("Published")))),
                .tbody(.forEach(detail.vulnerabilities) { v in
                    .tr(.td(.a(.href(SiteURL.estateVulnerability(code, v.cve).path), .text(v.cve))),
                        .td(.text(v.score.map { String(format: "%.1f %@", $0, Severity(score: $0).displayName) } ?? "Not scored")),
                        .td(v.known_exploited ? .span(.class("tag tag--red"), .text(v.ransomware ? "Yes, ransomware" : "Yes")) : .text("No")), .td(.text(v.published ?? "—")))
                }))),
            .h2(.text("Past end of life")),
            detail.unsupported.isEmpty ? .p(.text("Everything this device runs is supported.")) : .ul(.forEach(detail.unsupported) { u in
                .li(.text("\(u.lifecycle): support \(u.end_of_life == "true" || u.end_of_life.isEmpty ? "has ended" : "ended \(CalendarDay.nhsStyle(u.end_of_life))") "), .span(.class("hint"), .text("(matched as \(u.component))")))
            }),
            .h2(.text("Installed software (\(detail.software.count))")),
            detail.software.isEmpty
                ? .p(.text("The inventory lists no software on this device: only its operating system was checked. Device exports such as Intune's carry no software; import a software inventory (Configuration Manager or Defender) to check what it runs."))
                : Components.scrollableTable(label: "Installed software", .table(.class("table"),
                    .thead(.tr(.th(.text("Title")), .th(.text("Vendor")), .th(.text("Version")), .th(.text("Matched as")))),
                    .tbody(.forEach(detail.software) { s in
                        .tr(.td(.text(s.name)), .td(.text(s.vendor)), .td(.text(s.version)), .td(.unwrap(s.cpe, { .code(.text($0)) }, else: .text("Not mapped"))))
                    })))
        )
        return Layout.response(shell(context, d.hostname, crumbs: [.init(title: "Devices", url: .estateDevices(code))]), content)
    }

    static func vulnerability(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let cve = try req.pathParameter(SiteURL.cveID).uppercased()
        guard CVEIdentifier.isValid(cve) else { throw AssureError.invalid([RuleError(field: "cve", message: "'\(cve)' is not a CVE id such as CVE-2024-21413")]) }
        guard let v = try await EstateQueries.vulnerability(cve, of: context.organisation.id, knowledge: try await req.application.knowledgeBase(), on: sql) else {
            throw AssureError.notFound("\(cve) is not in the knowledge base")
        }
        let code = context.organisation.odsCode
        let content: Node<HTML.BodyContext> = .group(
            .h1(.text(v.cve)),
            .p(.text(v.description ?? "No description in the knowledge base.")),
            Components.summaryList([
                ("CVSS", .text(v.score.map { String(format: "%.1f %@ (CVSS %@)", $0, Severity(score: $0).displayName, v.cvss_version ?? "") } ?? "Not scored yet")),
                ("Vector", .text(v.vector?.nonEmpty ?? "—")), ("Published", .text(v.published.map { String($0.prefix(10)) } ?? "—")),
                ("Known exploited", v.known_exploited_since.map { .span(.class("tag tag--red"), .text("Since \(CalendarDay.nhsStyle($0))" + (v.ransomware ? ", used in ransomware" : ""))) } ?? .text("Not in the KEV catalogue")),
                ("Required action", .text(v.required_action ?? "—")),
                ("Devices affected here", .text("\(v.affected_devices)")),
            ]),
            .h2(.text("Affected devices")),
            v.devices.isEmpty ? .p(.text("No device in \(context.organisation.name) is affected.")) : Components.scrollableTable(label: "Affected devices", .table(.class("table"),
                .thead(.tr(.th(.text("Device")), .th(.text("Operating system")), .th(.text("Site")), .th(.text("Clinical")))),
                .tbody(.forEach(v.devices) { d in
                    .tr(.td(.a(.href(SiteURL.estateDevice(code, d.device_id).path), .text(d.hostname))), .td(.text(d.os)), .td(.text(d.site)), .td(.text(d.clinical ? "Yes" : "No")))
                })))
        )
        return Layout.response(shell(context, v.cve), content)
    }

    static func unmapped(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let mapping = try await EstateAnalysisRunner.titleMapping(sql)
        let titles = try await EstateQueries.unmapped(of: context.organisation.id, mapping: mapping, on: sql)
        let admin = context.maySystemWide(.administerSystem)
        let content: Node<HTML.BodyContext> = .group(
            .h1(.text("Unmapped software")),
            .p(.class("lede"), .text("Installed titles that no rule maps to a CPE product, so Assure cannot check them for vulnerabilities or end of life. Local and clinical applications often have no CPE; browsers, runtimes and utilities should all be mapped.")),
            titles.isEmpty ? .p(.text("Every installed title is mapped.")) : Components.scrollableTable(label: "Unmapped titles", .table(.class("table"),
                .thead(.tr(.th(.text("Title")), .th(.text("Vendor")), .th(.text("Devices")), .th(.text("Versions")))),
                .tbody(.forEach(titles) { t in .tr(.td(.text(t.name)), .td(.text(t.vendor)), .td(.text("\(t.devices)")), .td(.text("\(t.versions)"))) }))),
            .h2(.text("Mapping rules (\(mapping.rules.count))")),
            .p(.text("A rule matches titles starting with its name (and vendor, when given), ignoring case and punctuation; the longest match wins. Rules apply to every organisation.")),
            .if(admin, .form(.method(.post), .action(SiteURL.titleRules.path), Components.csrfField(),
                             .input(.type(.hidden), .name("organisation"), .value(context.organisation.odsCode)),
                             Components.textField(.init(id: "name_pattern", label: "Title starts with", value: "")),
                             Components.textField(.init(id: "vendor_pattern", label: "Vendor starts with (optional)", value: "")),
                             Components.textField(.init(id: "cpe_vendor", label: "CPE vendor", hint: "as NVD names it, e.g. google", value: "", width: "field--narrow")),
                             Components.textField(.init(id: "cpe_product", label: "CPE product", hint: "e.g. chrome", value: "", width: "field--narrow")),
                             .button(.type(.submit), .class("button"), .text("Add rule")))),
            Components.scrollableTable(label: "Mapping rules", .table(.class("table"),
                .thead(.tr(.th(.text("Title starts with")), .th(.text("Vendor")), .th(.text("CPE")))),
                .tbody(.forEach(mapping.rules.sorted { $0.namePattern < $1.namePattern }) { r in
                    .tr(.td(.text(r.namePattern)), .td(.text(r.vendorPattern.nonEmpty ?? "any")), .td(.code(.text("\(r.part):\(r.key)"))))
                })))
        )
        return Layout.response(shell(context, "Unmapped software"), content)
    }

    static func addTitleRule(req: Request) async throws -> Response {
        let identity = try req.authoriseSystem(.administerSystem)
        struct Form: Content { var name_pattern: String?; var vendor_pattern: String?; var cpe_vendor: String?; var cpe_product: String?; var organisation: String? }
        let form = try req.content.decode(Form.self)
        let rule = TitleRule(name: form.name_pattern ?? "", vendor: form.vendor_pattern ?? "", cpeVendor: (form.cpe_vendor ?? "").trimmingCharacters(in: .whitespaces),
                             cpeProduct: (form.cpe_product ?? "").trimmingCharacters(in: .whitespaces))
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
        let code = (form.organisation ?? "").uppercased()
        let back = !code.isEmpty && code.allSatisfy({ $0.isLetter || $0.isNumber }) ? SiteURL.estateUnmapped(code).path : SiteURL.organisations.path
        return req.redirect(to: back)
    }
}
