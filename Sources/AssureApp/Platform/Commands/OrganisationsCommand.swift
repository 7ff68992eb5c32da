import AssureCore
import Foundation
import Vapor

/// `assure organisations import FILE`.
struct OrganisationsCommand: AsyncCommandGroup {
    var help: String { "Manage organisations" }
    var commands: [String: any AnyAsyncCommand] { ["import": ImportOrganisationsCommand()] }
}

struct ImportOrganisationsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "CSV with columns ods_code,name,type,parent_ods_code,dspt_category")
        var file: String
    }

    var help: String { "Imports organisations from a CSV file; nothing is imported if any line is wrong." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            throw CommandFailure(message: "organisations import: \(signature.file) cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(message: "organisations import: \(signature.file) is not UTF-8 text")
        }
        try await AssureStartup.requireCurrentSchema(context.application)
        do {
            let rows = try OrganisationCSV.rows(from: text)
            let summary = try await OrganisationChanges(database: context.application.db, audit: .command("organisations import")).importRows(rows)
            context.console.print("Imported \(signature.file): \(summary.inserted) added, \(summary.updated) updated, \(summary.unchanged) unchanged")
        } catch let error as AssureError {
            let lines = error.problems.map { problem in
                "  " + (problem.line.map { "line \($0), " } ?? "") + "\(problem.field): \(problem.message)"
            }
            throw CommandFailure(message: (["organisations import: nothing was imported; \(error.problems.count) problem(s) in \(signature.file):"] + lines).joined(separator: "\n"))
        }
    }
}

/// `assure demo region` and `assure demo national`: fictional data for trying Assure and for benchmarks.
struct DemoCommand: AsyncCommandGroup {
    var help: String { "Load fictional demonstration data" }
    var commands: [String: any AnyAsyncCommand] {
        ["region": DemoDataCommand(national: false), "national": DemoDataCommand(national: true), "estate": DemoEstateCommand()]
    }
}

struct DemoDataCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "estate-devices", help: "national: devices spread over the trusts' estates (default 22,000; 0 for none)")
        var estateDevices: Int?
    }
    let national: Bool

    var help: String {
        national ? "Loads a synthetic national tree (7 regions, 42 ICBs, 220 trusts, 6,300 GP practices) with risks, assessments, evidence, alert responses and trust estates, the same every time"
            : "Loads the fictional Avalon region: 2 ICBs, 6 trusts, 20 GP practices"
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await AssureStartup.requireCurrentSchema(context.application)
        try await DemoSeeder.requireDemoOnly(context.application, host: nil)
        guard national else {
            let summary = try await DemoSeeder.seed(DemoOrganisations.region, on: context.application.db)
            context.console.print("Demo organisations: \(summary.inserted) added, \(summary.updated) updated, \(summary.unchanged) already present")
            return
        }
        let devices = signature.estateDevices ?? 22_000
        guard (0...5_000_000).contains(devices) else { throw CommandFailure(message: "demo national: --estate-devices must be from 0 to 5,000,000") }
        try await context.application.reloadFrameworks()
        let started = ContinuousClock.now
        let summary = try await DemoNational.seed(on: context.application, estateDevices: devices)
        context.console.print("Demo national: \(summary.organisations) organisations added; \(summary.risks) risks, \(summary.assessments) assessments, \(summary.evidence) pieces of evidence and \(summary.devices) devices in \(ContinuousClock.now - started)")
    }
}
