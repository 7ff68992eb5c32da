import AssureCore
import Foundation
import SQLKit
import Vapor

/// `/api/v1/organisations/{code}/estate…`: the same reads and imports as the pages, as JSON.
struct EstateAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.estate(SiteURL.code)), .estateSummary, use: Self.summary)
        routes.api(.GET, .api(.estateDevices(SiteURL.code)), .estateDevices, use: Self.devices)
        routes.api(.GET, .api(.estateDevice(SiteURL.code, SiteURL.deviceKey)), .estateDevice, use: Self.device)
        routes.api(.GET, .api(.estateVulnerability(SiteURL.code, SiteURL.cveID)), .estateVulnerability, use: Self.vulnerability)
        routes.api(.POST, .api(.estateImport(SiteURL.code)), .importInventory, body: .stream, use: Self.importInventory)
        routes.api(.POST, .api(.estateAnalyse(SiteURL.code)), .analyseEstate, use: Self.analyseRoute)
        routes.api(.GET, .api(.cyberAlerts(SiteURL.code)), .cyberAlerts, use: Self.cyberAlerts)
        routes.api(.POST, .api(.cyberAlertResponse(SiteURL.code, SiteURL.alertReference)), .respondToCyberAlert, use: Self.answerCyberAlert)
        routes.api(.POST, .api(.newCyberAlert), .addCyberAlert, use: Self.addCyberAlert)
    }

    struct Summary: Content {
        var organisation: String
        var roll_up: EstateRollUp
        var patch_compliance_percent: Int
        var below: EstateRollUp
        var trend: [EstateSnapshots.Point]
        var top_vulnerabilities: [EstateQueries.TopVulnerability]
    }

    static func summary(req: Request) async throws -> Summary {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let below = try await context.readableDescendants().map(\.record.id)
        let latest = try await EstateSnapshots.latest(of: [context.organisation.id] + below, on: sql)
        let own = latest[context.organisation.id] ?? EstateRollUp()
        return Summary(organisation: context.organisation.odsCode, roll_up: own, patch_compliance_percent: own.patchCompliancePercent,
                       below: below.compactMap { latest[$0] }.reduce(into: EstateRollUp()) { $0.add($1) },
                       trend: try await EstateSnapshots.trend(of: context.organisation.id, on: sql),
                       top_vulnerabilities: try await EstateSnapshots.details(of: context.organisation.id, on: sql).top)
    }

    struct DevicePage: Content { var total: Int; var page: Int; var devices: [EstateQueries.Device] }

    static func devices(req: Request) async throws -> DevicePage {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let (exposure, search, page) = try EstateQueries.deviceFilter(req)
        let (total, devices) = try await EstateQueries.devices(of: context.organisation.id, exposure: exposure, search: search, limit: 100, offset: (page - 1) * 100, on: sql)
        return DevicePage(total: total, page: page, devices: devices)
    }

    static func device(req: Request) async throws -> EstateQueries.DeviceDetail {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let key = try req.pathParameter(SiteURL.deviceKey)
        guard let detail = try await EstateQueries.device(key, of: context.organisation.id, knowledge: try await req.application.knowledgeBase(),
                                                          mapping: try await EstateAnalysisRunner.titleMapping(sql), on: sql) else {
            throw AssureError.notFound("\(context.organisation.name) has no device '\(key)'")
        }
        return detail
    }

    static func vulnerability(req: Request) async throws -> EstateQueries.Vulnerability {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        let cve = try req.pathParameter(SiteURL.cveID).uppercased()
        guard CVEIdentifier.isValid(cve) else { throw AssureError.invalid([RuleError(field: "cve", message: "'\(cve)' is not a CVE id such as CVE-2024-21413")]) }
        guard let found = try await EstateQueries.vulnerability(cve, of: context.organisation.id, knowledge: try await req.application.knowledgeBase(), on: sql) else {
            throw AssureError.notFound("\(cve) is not in the knowledge base")
        }
        return found
    }

    struct ImportResult: Content { var summary: InventoryImport.Summary; var analysis: EstateAnalysisRunner.Outcome }

    /// Takes the export as the body: CSV (`?format=csv|intune|sccm|defender`, `?map=field=column,…`) or a CycloneDX SBOM (`?format=cyclonedx`).
    static func importInventory(req: Request) async throws -> ImportResult {
        let context = try await req.organisationContext(.editAnyRecord)
        let format = (try? req.query.get(String.self, at: "format")) ?? (req.headers.contentType == .json ? "cyclonedx" : "csv")
        let mapping = (try? req.query.get(String.self, at: "map")) ?? ""
        // Read only now that the caller may import here, straight to a file: never held in memory.
        let summary = try await req.withBodyInTemporaryFile(max: Self.largestUpload) { path in
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else {
                throw AssureError.invalid([RuleError(field: "body", message: "Send the inventory export as the request body (text/csv, or application/json for a CycloneDX SBOM)")])
            }
            return try await importFile(at: path, format: format, mapping: mapping, allowLargeRemoval: Self.yes(req.query[String.self, at: "allow_large_removal"]),
                                        context: context, req: req)
        }
        return ImportResult(summary: summary, analysis: try await analyse(context, req: req))
    }

    /// The largest inventory the API takes in one request (a 60,000-device export is about 130 MB).
    static let largestUpload = 200 * 1_048_576

    /// An inventory already in a file: CycloneDX is decoded whole, CSV is read as a stream.
    static func importFile(at path: String, format: String, mapping: String, allowLargeRemoval: Bool, context: OrganisationContext,
                           req: Request) async throws -> InventoryImport.Summary {
        var importer = InventoryImport(context: context)
        importer.allowLargeRemoval = allowLargeRemoval
        if format.lowercased() == "cyclonedx" {
            return try await importer.importCycloneDX(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        guard let inventoryFormat = InventoryFormat.named(format) else {
            throw AssureError.invalid([RuleError(field: "format", message: "'\(format)' is not a format; use csv, intune, sccm, defender or cyclonedx")])
        }
        let pairs: [String: String]
        do { pairs = try EstateImportCommand.mapping(mapping) } catch let failure as CommandFailure {
            throw AssureError.invalid([RuleError(field: "mapping", message: failure.message.replacingOccurrences(of: "estate import: --map ", with: ""))])
        }
        return try await importer.importCSV(at: path, format: inventoryFormat, mapping: pairs)
    }

    /// Page uploads: the file goes to a temporary file and is imported from there like the API's.
    static func importBody(_ data: Data, format: String, mapping: String, allowLargeRemoval: Bool, context: OrganisationContext,
                           req: Request) async throws -> InventoryImport.Summary {
        let path = try TemporaryFiles.newPath(in: req.application.assureConfiguration, suffix: "inventory")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await req.fileio.writeFile(ByteBuffer(data: data), at: path)
        return try await importFile(at: path, format: format, mapping: mapping, allowLargeRemoval: allowLargeRemoval, context: context, req: req)
    }

    /// A yes/no choice as forms and query strings send it.
    static func yes(_ value: String?) -> Bool { ["yes", "true", "on", "1"].contains((value ?? "").lowercased()) }

    static func analyseRoute(req: Request) async throws -> EstateAnalysisRunner.Outcome {
        try await analyse(try await req.organisationContext(.editAnyRecord), req: req)
    }

    static func analyse(_ context: OrganisationContext, req: Request) async throws -> EstateAnalysisRunner.Outcome {
        try await EstateAnalysisRunner(context, knowledge: try await req.application.knowledgeBase()).run()
    }

    static func cyberAlerts(req: Request) async throws -> [CyberAlerts.Alert] {
        let context = try await req.organisationContext(.read)
        return try await CyberAlerts.alerts(for: context.organisation.id, now: context.clock.now(), on: try context.database.sqlDatabase)
    }

    static func answerCyberAlert(req: Request) async throws -> CyberAlerts.Alert {
        let context = try await req.organisationContext(.editAnyRecord)
        let reference = try req.pathParameter(SiteURL.alertReference)
        try await CyberAlerts.record(try req.content.decode(CyberAlerts.Answer.self), alert: reference, context: context)
        guard let alert = try await CyberAlerts.alerts(for: context.organisation.id, now: context.clock.now(), on: try context.database.sqlDatabase)
            .first(where: { $0.reference == reference }) else { throw AssureError.notFound("No cyber alert has the reference '\(reference)'") }
        return alert
    }

    struct AddedAlert: Content { var reference: String }

    static func addCyberAlert(req: Request) async throws -> Created<AddedAlert> {
        let identity = try req.authoriseSystem(.administerSystem)
        let input = try req.content.decode(CyberAlerts.NewAlert.self)
        return Created(AddedAlert(reference: try await CyberAlerts.create(input, by: identity, now: req.application.clock.now(), audit: req.auditContext, on: req.db)))
    }
}
