import AssureCore
import Foundation
import Plot
import SQLKit

/// `/organisations/{code}/estate/devices`: the devices shown by one exposure filter, a page at a time.
enum EstateDevicesPage {
    struct Model {
        var code: String
        var exposure: EstateQueries.Exposure
        var search: String
        var page: Int
        var total: Int
        var devices: [EstateQueries.Device]

        static let pageSize = 100
        var pages: Int { max(1, (total + Self.pageSize - 1) / Self.pageSize) }
    }

    static func load(_ context: OrganisationContext, exposure: EstateQueries.Exposure, search: String, page: Int) async throws -> Model {
        let (total, devices) = try await EstateQueries.devices(of: context.organisation.id, exposure: exposure, search: search, limit: Model.pageSize,
                                                               offset: (page - 1) * Model.pageSize, on: try context.database.sqlDatabase)
        return Model(code: context.organisation.odsCode, exposure: exposure, search: search, page: page, total: total, devices: devices)
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code, pages = model.pages
        let pageURL = { (page: Int) in SiteURL.estateDevices(code).with(query: [("exposure", model.exposure.rawValue), ("q", model.search), ("page", String(page))]) }
        return .group(
            .h1(.text(model.exposure.label)),
            .form(.method(.get), .action(SiteURL.estateDevices(code).path), .class("filters"),
                  Components.selectField(.init(id: "exposure", label: "Show", value: model.exposure.rawValue, width: ""),
                                         options: EstateQueries.Exposure.allCases.map { ($0.rawValue, $0.label) }),
                  Components.textField(.init(id: "q", label: "Hostname or device id", value: model.search)),
                  .button(.type(.submit), .class("button button--secondary"), .text("Filter"))),
            .p(.text("\(Words.count(model.total, "device"))" + (pages > 1 ? ", page \(model.page) of \(pages)" : "")),
               .text(" "), .a(.href(SiteURL.estateDevicesCSV(code).with(query: [("exposure", model.exposure.rawValue), ("q", model.search)])), .text("Download as CSV"))),
            model.devices.isEmpty
                ? Components.emptyState(title: "No devices", message: "No device matches this filter.", actions: [("Back to the estate", .estate(code))])
                : Components.scrollableTable(label: "Devices", .table(.class("table"),
                    .thead(.tr(.th(.text("Device")), .th(.text("Type")), .th(.text("Operating system")), .th(.text("CVEs")), .th(.text("Worst")),
                               .th(.text("Known exploited")), .th(.text("Unsupported")), .th(.text("Patch compliant")))),
                    .tbody(.forEach(model.devices) { row($0, code: code) }))),
            .if(pages > 1, .p(.class("button-group"),
                .if(model.page > 1, .a(.class("button button--secondary"), .href(pageURL(model.page - 1)), .text("Previous page"))),
                .if(model.page < pages, .a(.class("button button--secondary"), .href(pageURL(model.page + 1)), .text("Next page")))))
        )
    }

    private static func row(_ device: EstateQueries.Device, code: String) -> Node<HTML.TableContext> {
        .tr(.td(.a(.href(SiteURL.estateDevice(code, device.device_id).path), .text(device.hostname))),
            .td(.text(DeviceType(rawValue: device.type)?.displayName ?? device.type)), .td(.text(device.os)), .td(.text("\(device.cves)")),
            .td(.text(device.highest_score.map { String(format: "%.1f", $0) } ?? (device.cves > 0 ? "Not scored" : "—"))),
            .td(device.known_exploited > 0 ? .span(.class("tag tag--red"), .text("\(device.known_exploited)")) : .text("0")),
            .td(.text(device.unsupported_os ? "OS and \(device.unsupported - 1) more" : "\(device.unsupported)")),
            .td(.text(device.patch_compliant ? "Yes" : "No")))
    }
}

/// `/organisations/{code}/estate/devices/{device}`: one device, what it runs and what that exposes.
enum EstateDevicePage {
    struct Model {
        var code: String
        var detail: EstateQueries.DeviceDetail
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code, detail = model.detail, d = detail.device
        return .group(
            .h1(.text(d.hostname)),
            Components.summaryList([
                ("Device id", .text(d.device_id)), ("Type", .text(DeviceType(rawValue: d.type)?.displayName ?? d.type)),
                ("Operating system", .group(.text("\(d.os) (\(d.os_build)) "), .if(d.unsupported_os, .span(.class("tag tag--red"), .text("Unsupported"))))),
                ("Site", .text(d.site.nonEmpty ?? "—")), ("Owner", .text(d.owner.nonEmpty ?? "—")), ("Criticality", .text(d.criticality.capitalized)),
                ("Supports clinical systems", .text(d.clinical ? "Yes" : "No")), ("Last seen", .text(d.last_seen.map(CalendarDay.nhsStyle) ?? "—")),
                ("Patch compliant", .text(d.patch_compliant ? "Yes" : "No: a critical, high or known-exploited fix has been out more than 14 days")),
                ("Source", .text(d.source)), ("Analysed", .text(d.analysed_on.map(CalendarDay.nhsStyle) ?? "Not yet")),
            ]),
            .h2(.text("Vulnerabilities (\(detail.vulnerabilities.count))")),
            detail.vulnerabilities.isEmpty ? .p(.text("No known vulnerability matches what this device runs.")) : Components.scrollableTable(label: "Vulnerabilities", .table(.class("table"),
                .thead(.tr(.th(.text("CVE")), .th(.text("CVSS")), .th(.text("Known exploited")), .th(.text("Published")))),
                .tbody(.forEach(detail.vulnerabilities) { v in
                    .tr(.td(.a(.href(SiteURL.estateVulnerability(code, v.cve).path), .text(v.cve))),
                        .td(.text(v.score.map { String(format: "%.1f %@", $0, Severity(score: $0).displayName) } ?? "Not scored")),
                        .td(v.known_exploited ? .span(.class("tag tag--red"), .text(v.ransomware ? "Yes, ransomware" : "Yes")) : .text("No")),
                        .td(.text(v.published.map { CalendarDay.nhsStyle(String($0.prefix(10))) } ?? "—")))
                }))),
            .h2(.text("Past end of life")),
            detail.unsupported.isEmpty ? .p(.text("Everything this device runs is supported.")) : .ul(.forEach(detail.unsupported) { u in
                .li(.text("\(u.lifecycle): support \(u.end_of_life == "true" || u.end_of_life.isEmpty ? "has ended" : "ended \(CalendarDay.nhsStyle(u.end_of_life))") "),
                    .span(.class("hint"), .text("(matched as \(u.component))")))
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
    }
}

/// `/organisations/{code}/estate/vulnerabilities/{cve}`: one CVE as the knowledge base knows it, and
/// the organisation's devices it affects.
enum EstateVulnerabilityPage {
    struct Model {
        var code: String
        var organisationName: String
        var vulnerability: EstateQueries.Vulnerability
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let v = model.vulnerability, code = model.code
        return .group(
            .h1(.text(v.cve)),
            .p(.text(v.description ?? "No description in the knowledge base.")),
            Components.summaryList([
                ("CVSS", .text(v.score.map { String(format: "%.1f %@ (CVSS %@)", $0, Severity(score: $0).displayName, v.cvss_version ?? "") } ?? "Not scored yet")),
                ("Vector", .text(v.vector?.nonEmpty ?? "—")), ("Published", .text(v.published.map { CalendarDay.nhsStyle(String($0.prefix(10))) } ?? "—")),
                ("Known exploited", v.known_exploited_since.map {
                    .span(.class("tag tag--red"), .text("Since \(CalendarDay.nhsStyle($0))" + (v.ransomware ? ", used in ransomware" : "")))
                } ?? .text("Not in the KEV catalogue")),
                ("Required action", .text(v.required_action ?? "—")),
                ("Devices affected here", .text("\(v.affected_devices)")),
            ]),
            .h2(.text("Affected devices")),
            v.devices.isEmpty ? .p(.text("No device in \(model.organisationName) is affected.")) : Components.scrollableTable(label: "Affected devices", .table(.class("table"),
                .thead(.tr(.th(.text("Device")), .th(.text("Operating system")), .th(.text("Site")), .th(.text("Clinical")))),
                .tbody(.forEach(v.devices) { d in
                    .tr(.td(.a(.href(SiteURL.estateDevice(code, d.device_id).path), .text(d.hostname))), .td(.text(d.os)), .td(.text(d.site)), .td(.text(d.clinical ? "Yes" : "No")))
                })))
        )
    }
}

/// `/organisations/{code}/estate/unmapped`: installed titles no rule maps to a CPE product, the
/// rules, and (for system administrators) the form to add one, sent back with its problems.
enum UnmappedSoftwarePage {
    static let ruleFields = ["name_pattern", "vendor_pattern", "cpe_vendor", "cpe_product"]

    struct Model {
        var code: String
        var titles: [EstateQueries.UnmappedTitle]
        var rules: [TitleRule]
        var mayAddRules = false
        var submitted: EstatePages.SubmittedForm?

        var problems: [AssureError.FieldProblem] { submitted?.problems ?? [] }
    }

    static func load(_ context: OrganisationContext, submitted: EstatePages.SubmittedForm? = nil) async throws -> Model {
        let sql = try context.database.sqlDatabase
        let mapping = try await EstateAnalysisRunner.titleMapping(sql)
        return Model(code: context.organisation.odsCode, titles: try await EstateQueries.unmapped(of: context.organisation.id, mapping: mapping, on: sql),
                     rules: mapping.rules.sorted { $0.namePattern < $1.namePattern }, mayAddRules: context.maySystemWide(.administerSystem), submitted: submitted)
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let problems = model.problems
        let field = { (id: String, label: String, hint: String?, width: String) -> Node<HTML.FormContext> in
            Components.textField(.init(id: id, label: label, hint: hint, value: model.submitted?.values[id] ?? "", error: problems.message(for: id), width: width))
        }
        return .group(
            Components.errorSummary(problems, fieldIDs: Set(ruleFields)),
            .h1(.text("Unmapped software")),
            .p(.class("lede"), .text("Installed titles that no rule maps to a CPE product, so Assure cannot check them for vulnerabilities or end of life. Local and clinical applications often have no CPE; browsers, runtimes and utilities should all be mapped.")),
            model.titles.isEmpty ? .p(.text("Every installed title is mapped.")) : Components.scrollableTable(label: "Unmapped titles", .table(.class("table"),
                .thead(.tr(.th(.text("Title")), .th(.text("Vendor")), .th(.text("Devices")), .th(.text("Versions")))),
                .tbody(.forEach(model.titles) { t in .tr(.td(.text(t.name)), .td(.text(t.vendor)), .td(.text("\(t.devices)")), .td(.text("\(t.versions)"))) }))),
            .h2(.text("Mapping rules (\(model.rules.count))")),
            .p(.text("A rule matches titles starting with its name (and vendor, when given), ignoring case and punctuation; the longest match wins. Rules apply to every organisation.")),
            .if(model.mayAddRules, .form(.method(.post), .action(SiteURL.titleRules.path), Components.csrfField(),
                .input(.type(.hidden), .name("organisation"), .value(model.code)),
                field("name_pattern", "Title starts with", nil, "field--wide"),
                field("vendor_pattern", "Vendor starts with (optional)", nil, "field--wide"),
                field("cpe_vendor", "CPE vendor", "as NVD names it, e.g. google", "field--narrow"),
                field("cpe_product", "CPE product", "e.g. chrome", "field--narrow"),
                .button(.type(.submit), .class("button"), .text("Add rule")))),
            Components.scrollableTable(label: "Mapping rules", .table(.class("table"),
                .thead(.tr(.th(.text("Title starts with")), .th(.text("Vendor")), .th(.text("CPE")))),
                .tbody(.forEach(model.rules) { r in
                    .tr(.td(.text(r.namePattern)), .td(.text(r.vendorPattern.nonEmpty ?? "any")), .td(.code(.text("\(r.part):\(r.key)"))))
                })))
        )
    }
}
