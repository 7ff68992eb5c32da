import AssureCore
import Foundation
import Plot
import SQLKit
import Vapor

/// `/organisations/{code}/estate`: the organisation's exposure (devices, patch compliance, known
/// exploited and unsupported software), the most widespread vulnerabilities, the trend, the
/// organisations below, and the import and threshold forms. Model / view / query: `load` reads,
/// `Model` is what the page shows, `view` is a pure function of it.
enum EstateOverviewPage {
    struct Model {
        struct Permissions { var importAndAnalyse = false, setThresholds = false }
        struct Below { var code: String; var name: String }

        var code: String
        var name: String
        /// How much the knowledge base holds, said in the lede.
        var knowledgeCVEs = 0
        var knowledgeKnownExploited = 0
        var own = EstateRollUp()
        var children: [(Below, EstateRollUp)] = []
        /// The organisation and those below together.
        var total = EstateRollUp()
        var trend: [EstateSnapshots.Point] = []
        var details = EstateAnalysisRunner.Details(top: [], cycles: [])
        var thresholds: EstateRiskThresholds
        var may = Permissions()
        /// A form sent back with problems: its values and what is wrong, shown beside the fields.
        var submitted: EstatePages.SubmittedForm?

        var problems: [AssureError.FieldProblem] { submitted?.problems ?? [] }
    }

    static func load(_ context: OrganisationContext, knowledge: KnowledgeBase, submitted: EstatePages.SubmittedForm?) async throws -> Model {
        let sql = try context.database.sqlDatabase
        let code = context.organisation.odsCode
        let below = try await context.readableDescendants()
        let latest = try await EstateSnapshots.latest(of: [context.organisation.id] + below.map(\.record.id), on: sql)
        var model = Model(code: code, name: context.organisation.name, thresholds: try await EstateRisk.thresholds(for: context.organisation.id, on: sql))
        model.knowledgeCVEs = knowledge.index.records.count
        model.knowledgeKnownExploited = knowledge.facts.filter(\.knownExploited).count
        model.own = latest[context.organisation.id] ?? EstateRollUp()
        // Those directly below, or all below where there are few enough to list.
        model.children = below.compactMap { record, _ in
            guard record.parentCode == code || below.count <= 400, let figures = latest[record.id], figures.devices > 0 else { return nil }
            return (Model.Below(code: record.odsCode, name: record.name), figures)
        }
        model.total = latest.values.reduce(into: EstateRollUp()) { $0.add($1) }
        model.trend = try await EstateSnapshots.trend(of: context.organisation.id, days: 30, on: sql)
        model.details = try await EstateSnapshots.details(of: context.organisation.id, on: sql)
        model.may = .init(importAndAnalyse: context.may(.editAnyRecord), setThresholds: context.may(.manageSettings))
        model.submitted = submitted
        return model
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let code = model.code, own = model.own, problems = model.problems
        let devicesURL = { (exposure: EstateQueries.Exposure) in SiteURL.estateDevices(code).with(query: [("exposure", exposure.rawValue)]) }
        let sent = { (field: String) in model.submitted?.values[field] }
        return .group(
            Components.errorSummary(problems, fieldIDs: Set(EstatePages.importFields + EstatePages.thresholdFields)),
            .h1(.text("Estate and cyber exposure")),
            .p(.class("lede"), .text("Devices, unsupported software and known vulnerabilities in \(model.name)'s IT estate, from its inventory and the knowledge base (\(Words.number(model.knowledgeCVEs)) CVEs, \(Words.number(model.knowledgeKnownExploited)) known exploited).")),
            own.devices == 0 && model.children.isEmpty
                ? Components.emptyState(title: "No devices yet", message: "Import an inventory export (Intune, Configuration Manager, Defender for Endpoint, a CycloneDX SBOM or Assure's CSV) to see exposure here.", actions: [])
                : .group(
                    .div(.class("card-grid"),
                         EstatePages.figure("Devices", "\(own.devices)", "in the latest analysis", link: devicesURL(.all)),
                         EstatePages.figure("Patch compliance", "\(own.patchCompliancePercent)%", "\(own.patchCompliant) devices have no critical, high or known-exploited fix outstanding over 14 days", link: devicesURL(.noncompliant), alert: own.patchCompliancePercent < 95),
                         EstatePages.figure("Known exploited", "\(own.knownExploited)", "devices exposed to CISA KEV vulnerabilities (\(own.ransomware) used in ransomware)", link: devicesURL(.kev), alert: own.knownExploited > 0),
                         EstatePages.figure("Unsupported OS", "\(own.unsupportedOS)", "devices on an operating system past end of support", link: devicesURL(.unsupportedOS), alert: own.unsupportedOS > 0),
                         EstatePages.figure("Unsupported software", "\(own.unsupportedSoftware)", "devices with any component past end of life", link: devicesURL(.unsupported)),
                         EstatePages.figure("Critical or high", "\(own.criticalOrHigh)", "devices whose worst vulnerability is critical or high", link: devicesURL(.critical))),
                    .h2(.text("Most widespread vulnerabilities")),
                    model.details.top.isEmpty ? .p(.text("No device has a known vulnerability.")) : Components.scrollableTable(label: "Most widespread vulnerabilities", .table(.class("table"),
                        .thead(.tr(.th(.text("CVE")), .th(.text("Devices")), .th(.text("CVSS")), .th(.text("Known exploited")))),
                        .tbody(.forEach(model.details.top) { item in
                            .tr(.td(.a(.href(SiteURL.estateVulnerability(code, item.cve).path), .text(item.cve))), .td(.text("\(item.devices)")),
                                .td(.text(item.score.map { String(format: "%.1f %@", $0, Severity(score: $0).displayName) } ?? "Not scored")),
                                .td(item.known_exploited ? .span(.class("tag tag--red"), .text(item.ransomware ? "Yes, ransomware" : "Yes")) : .text("No")))
                        }))),
                    .h2(.text("Unsupported releases")),
                    model.details.cycles.isEmpty ? .p(.text("No device runs anything past its end of life.")) : Components.scrollableTable(label: "Unsupported releases", .table(.class("table"),
                        .thead(.tr(.th(.text("Release")), .th(.text("End of support")), .th(.text("Devices")))),
                        .tbody(.forEach(model.details.cycles) { cycle in .tr(.td(.text(cycle.lifecycle)), .td(.text(cycle.end_of_life == "true" ? "Ended" : CalendarDay.nhsStyle(cycle.end_of_life))), .td(.text("\(cycle.devices)"))) }))),
                    .h2(.text("Trend")),
                    Components.scrollableTable(label: "Daily snapshots", .table(.class("table"),
                        .thead(.tr(.th(.text("Day")), .th(.text("Devices")), .th(.text("Patch compliance")), .th(.text("Known exploited")), .th(.text("Unsupported OS")))),
                        .tbody(.forEach(model.trend.reversed()) { point in
                            .tr(.td(.text(CalendarDay.nhsStyle(point.day))), .td(.text("\(point.roll_up.devices)")), .td(Components.meter(part: point.roll_up.patchCompliant, of: point.roll_up.devices)),
                                .td(.text("\(point.roll_up.knownExploited)")), .td(.text("\(point.roll_up.unsupportedOS)")))
                        })))
                ),
            .if(!model.children.isEmpty, .group(
                .h2(.text("Organisations below")),
                .p(.text("Together: \(Words.number(model.total.devices)) devices, \(model.total.patchCompliancePercent)% patch compliant, \(model.total.knownExploited) exposed to known-exploited vulnerabilities, \(model.total.unsupportedOS) on unsupported operating systems.")),
                Components.scrollableTable(label: "Organisations below", .table(.class("table"),
                    .thead(.tr(.th(.text("Organisation")), .th(.text("Devices")), .th(.text("Patch compliance")), .th(.text("Known exploited")), .th(.text("Unsupported OS")))),
                    .tbody(.forEach(model.children) { record, figures in
                        .tr(.td(.a(.href(SiteURL.estate(record.code).path), .text("\(record.name) (\(record.code))"))), .td(.text("\(figures.devices)")),
                            .td(Components.meter(part: figures.patchCompliant, of: figures.devices)), .td(.text("\(figures.knownExploited)")), .td(.text("\(figures.unsupportedOS)")))
                    })))
            )),
            .p(.class("button-group"),
               .a(.class("button button--secondary"), .href(SiteURL.cyberAlerts(code).path), .text("High severity cyber alerts")),
               .a(.class("button button--secondary"), .href(SiteURL.estateUnmapped(code).path), .text("Unmapped software")),
               .if(own.devices > 0, .a(.class("button button--secondary"), .href(SiteURL.estateDevicesCSV(code).path), .text("Download devices (CSV)")))),
            .if(model.may.importAndAnalyse, .group(
                .h2(.text("Import an inventory")),
                .form(.method(.post), .action(Components.uploadAction(.estateImport(code))), .enctype(.multipartData),
                      Components.selectField(.init(id: "format", label: "Format", hint: "A device export, or one row per device and installed title",
                                                   value: sent("format") ?? "csv", error: problems.message(for: "format")),
                                             options: InventoryFormat.all.map { ($0.id, $0.title) } + [("cyclonedx", "CycloneDX 1.5 or 1.6 JSON SBOM (one device)")]),
                      Components.textField(.init(id: "mapping", label: "Column mapping (optional)", hint: "field=column pairs, e.g. device_id=Serial Number,hostname=Computer",
                                                 value: sent("mapping") ?? "", error: problems.message(for: "mapping"))),
                      Components.fileField(.init(id: "file", label: "Inventory file", value: "", error: problems.message(for: "file")),
                                           accept: ".csv,.json,text/csv,application/json"),
                      Components.checkbox(id: "allow_large_removal", label: "The devices really are gone: allow this file to remove more than 20% of them",
                                          hint: "Without this, a file that would remove more than a fifth of the devices its format last listed is refused, as an empty or cut-short export would.",
                                          error: problems.message(for: "allow_large_removal")),
                      .button(.type(.submit), .class("button"), .text("Import and analyse"))),
                .form(.method(.post), .action(SiteURL.estateAnalyse(code).path), Components.csrfField(),
                      .button(.type(.submit), .class("button button--secondary"), .text("Analyse again now")))
            )),
            .if(model.may.setThresholds, .group(
                .h2(.text("When the estate raises a risk")),
                .form(.method(.post), .action(SiteURL.estateSettings(code).path), Components.csrfField(),
                      Components.textField(.init(id: "known_exploited_percent", label: "Known-exploited exposure, % of devices",
                                                 value: sent("known_exploited_percent") ?? String(format: "%g", model.thresholds.knownExploitedPercent),
                                                 error: problems.message(for: "known_exploited_percent"), width: "field--narrow")),
                      Components.textField(.init(id: "unsupported_os_percent", label: "Unsupported operating systems, % of devices",
                                                 value: sent("unsupported_os_percent") ?? String(format: "%g", model.thresholds.unsupportedOSPercent),
                                                 error: problems.message(for: "unsupported_os_percent"), width: "field--narrow")),
                      .button(.type(.submit), .class("button button--secondary"), .text("Save thresholds")))
            ))
        )
    }
}
