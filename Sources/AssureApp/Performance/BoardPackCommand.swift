import ArgumentParser
import AssureCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Vapor

/// `assure report board --org CODE --out FILE.pdf [--from DAY] [--to DAY]`: the board pack as PDF,
/// printed by headless Chromium (or as HTML when FILE ends in .html). The file appears whole or not
/// at all: Chromium prints to a temporary file that replaces FILE only once it is a complete PDF.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Produce reports.", subcommands: [BoardReportCommand.self])
}

struct BoardReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board", abstract: "Writes an organisation's board pack for a period as PDF (through headless Chromium) or HTML.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions
    @CommandOption(name: .customLong("org"), help: "The organisation's ODS code.") var organisation: String
    @CommandOption(help: "Where to write the pack: FILE.pdf (through headless Chromium) or FILE.html.") var out: String
    @CommandOption(help: "First day of the period, YYYY-MM-DD (default: 90 days before --to).") var from: String?
    @CommandOption(help: "Last day of the period, YYYY-MM-DD (default: today).") var to: String?

    var isPDF: Bool { out.lowercased().hasSuffix(".pdf") }

    func validate() throws {
        guard !organisation.trimmingCharacters(in: .whitespaces).isEmpty else { throw UsageError("--org must be an organisation's ODS code") }
        guard isPDF || out.lowercased().hasSuffix(".html") else { throw UsageError("--out must end in .pdf or .html") }
    }

    struct Summary: Encodable { var organisation, from, to, file: String }

    func run() async throws {
        let (output, code, out, from, to) = (output.output, organisation.trimmingCharacters(in: .whitespaces).uppercased(), out, from, to)
        let chromium = isPDF ? try HeadlessChromium.locate() : nil
        try await CommandSession.run(storage) { app in
            let (period, problems) = ReportingPeriod.read(from: from, to: to, today: app.clock.today)
            guard let period else {
                throw CommandFailure(message: (["report board: the period is wrong:"] + problems.map { "  --\($0.field): \($0.message)" }).joined(separator: "\n"))
            }
            let progress = output.progress("Reading the board pack", unit: "steps")
            progress.begin("Reading the board pack", total: nil)
            try await app.reloadFrameworks()
            let context = try await OrganisationContext.command("report board", organisation: code, database: app.db, clock: app.clock)
            let pack = try await BoardPack.load(context, period: period, frameworks: app.frameworks)
            let html = BoardPackDocument.render(pack, stylesheet: .embedded)
            if let chromium {
                progress.begin("Printing to PDF with Chromium", total: nil)
                try await chromium.printToPDF(html: html, to: out)
            } else {
                try WholeFile.write(Data(html.utf8), to: out, command: "report board")
            }
            progress.finish()
            output.say("Board pack for \(context.organisation.name) (\(period.from.nhsStyle) to \(period.to.nhsStyle)) written to \(out)")
            try output.summary(Summary(organisation: code, from: period.from.description, to: period.to.description, file: out))
        }
    }
}

/// Prints HTML to PDF with Chromium's headless mode, in a private profile, with a time limit.
struct HeadlessChromium {
    let executable: String
    static let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    static let timeLimit: TimeInterval = 120

    /// ASSURE_CHROMIUM when set, else the first of the usual names on PATH.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HeadlessChromium {
        if let configured = environment["ASSURE_CHROMIUM"], !configured.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw CommandFailure(message: "report board: ASSURE_CHROMIUM is '\(configured)', which is not an executable file")
            }
            return HeadlessChromium(executable: configured)
        }
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in names {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return HeadlessChromium(executable: "\(folder)/\(name)")
            }
        }
        throw CommandFailure(message: """
            report board: PDF needs Chromium, and none was found (looked for \(names.joined(separator: ", ")) on PATH, and ASSURE_CHROMIUM).
              Install it (Debian and Ubuntu: apt-get install chromium), set ASSURE_CHROMIUM to its path,
              or write HTML instead (--out FILE.html) and print that from a browser. No file was written.
            """)
    }

    /// What the printed page may load: nothing but its own inline styles and data images. An
    /// organisation name holding `<iframe src="file:///…">` (escaped anyway) could fetch nothing.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Chromium loads the pack from a one-shot server on 127.0.0.1 (never a `file://` page, which
    /// could read other local files), at an unguessable path, with the policy above.
    func printToPDF(html: String, to out: String) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("assure-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let pdf = work.appendingPathComponent("board-pack.pdf")
        let page = try await LoopbackPage.serve(html, contentSecurityPolicy: Self.contentSecurityPolicy)
        let result: Result<Void, any Error>
        do {
            try run(arguments: arguments(profile: work.appendingPathComponent("profile").path, pdf: pdf.path, url: page.url))
            result = .success(())
        } catch {
            result = .failure(error)
        }
        await page.stop()
        try result.get()
        guard let data = FileManager.default.contents(atPath: pdf.path), data.starts(with: Array("%PDF-".utf8)) else {
            throw CommandFailure(message: "report board: Chromium did not produce a PDF. No file was written.")
        }
        try WholeFile.write(data, to: out, command: "report board")
    }

    /// Chromium's sandbox stays on, except as root, where Chromium refuses to start with it.
    func arguments(profile: String, pdf: String, url: String) -> [String] {
        (getuid() == 0 ? ["--no-sandbox"] : []) + [
            "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
            "--user-data-dir=\(profile)", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", url,
        ]
    }

    private func run(arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw CommandFailure(message: "report board: \(executable) could not be started (\(error.localizedDescription)). No file was written.")
        }
        // A time limit, not a time of day: the monotonic clock.
        let deadline = ContinuousClock.now.advanced(by: .seconds(Self.timeLimit))
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            throw CommandFailure(message: "report board: Chromium did not finish within \(Int(Self.timeLimit)) s. No file was written.")
        }
        let detail = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").suffix(3).joined(separator: " | ")
        guard process.terminationStatus == 0 else {
            throw CommandFailure(message: "report board: Chromium failed to print the pack (exit \(process.terminationStatus))\(detail.isEmpty ? "" : ": \(detail)"). No file was written.")
        }
    }
}
