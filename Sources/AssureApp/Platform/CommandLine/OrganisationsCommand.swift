import ArgumentParser
import AssureCore
import AssureDemo
import Foundation
import Vapor

/// `assure organisations import FILE`.
struct OrganisationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organisations", abstract: "Manage organisations.", subcommands: [ImportOrganisationsCommand.self])
}

struct ImportOrganisationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Imports organisations from a CSV file; nothing is imported if any line is wrong.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandArgument(help: "A CSV file with the columns ods_code,name,type,parent_ods_code,dspt_category.")
    var file: String

    func run() async throws {
        let (output, file) = (output.output, file)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure(message: "organisations import: \(file) cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(message: "organisations import: \(file) is not UTF-8 text; nothing was imported")
        }
        try await CommandSession.run(storage) { app in
            do {
                let rows = try OrganisationCSV.rows(from: text)
                let summary = try await OrganisationChanges(database: app.db, audit: .command("organisations import", clock: app.clock)).importRows(rows)
                output.say("Imported \(file): \(summary.inserted) added, \(summary.updated) updated, \(summary.unchanged) unchanged")
                try output.summary(summary)
            } catch let error as AssureError {
                throw error.commandFailure("organisations import: nothing was imported; \(Words.count(error.problems.count, "problem")) in \(file)")
            }
        }
    }
}

/// `assure demo region`, `assure demo national` and `assure demo estate`: fictional data for
/// trying Assure and for benchmarks.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Load fictional demonstration data.",
        subcommands: AssureModules.all.flatMap(\.demoCommands))
}

struct DemoRegionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "region", abstract: "Loads the fictional Avalon region: 2 ICBs, 6 trusts, 20 GP practices.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    func run() async throws {
        let output = output.output
        try await CommandSession.run(storage) { app in
            try await DemoSeeder.requireDemoOnly(app, host: nil)
            let summary = try await DemoSeeder.seed(DemoOrganisations.region, on: app)
            output.say("Demo organisations: \(summary.inserted) added, \(summary.updated) updated, \(summary.unchanged) already present")
            try output.summary(summary)
        }
    }
}

struct DemoNationalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "national",
        abstract: "Loads a synthetic national tree (7 regions, 42 ICBs, 220 trusts, 6,300 GP practices) with records, the same every time.",
        discussion: "Risks, assessments, evidence, alert responses and trust estates come with it.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(name: .customLong("estate-devices"), help: "Devices spread over the trusts' estates, 0 to 5,000,000 (0 for none).")
    var estateDevices = 22_000

    func validate() throws {
        guard (0...5_000_000).contains(estateDevices) else { throw UsageError("--estate-devices must be from 0 to 5,000,000") }
    }

    struct Summary: Encodable { var organisations, risks, assessments, evidence, devices: Int; var seconds: Double }

    func run() async throws {
        let (output, devices) = (output.output, estateDevices)
        try await CommandSession.run(storage) { app in
            try await DemoSeeder.requireDemoOnly(app, host: nil)
            try await app.reloadFrameworks()
            let started = ContinuousClock.now
            let progress = output.progress("Seeding the national demo", unit: "organisations")
            let summary = try await DemoNational.seed(on: app, estateDevices: devices, progress: progress)
            progress.finish()
            let seconds = (ContinuousClock.now - started).seconds
            output.say("Demo national: \(summary.organisations) organisations added; \(summary.risks) risks, \(summary.assessments) assessments, \(summary.evidence) pieces of evidence and \(summary.devices) devices in \(String(format: "%.1f", seconds)) s")
            try output.summary(Summary(organisations: summary.organisations, risks: summary.risks, assessments: summary.assessments,
                                       evidence: summary.evidence, devices: summary.devices, seconds: seconds))
        }
    }
}
