import ArgumentParser
import AssureCore
import NIOConcurrencyHelpers
import XCTest
@testable import AssureApp

/// The command line's parsing, output and progress, without running a command.
final class CommandLineTests: XCTestCase {
    /// Every command with its path, from the root down.
    private func commands(_ command: any ParsableCommand.Type, path: [String] = []) -> [(path: [String], type: any ParsableCommand.Type)] {
        [(path, command)] + command.configuration.subcommands.flatMap { commands($0, path: path + [$0.configuration.commandName ?? ""]) }
    }

    /// `--help` parses as the parser's own help command, which prints and touches nothing; no
    /// Assure command (which would open the database) is reached.
    func testEveryCommandDescribesItselfWhenAskedForHelp() throws {
        let all = commands(AssureCommandLine.self)
        XCTAssertGreaterThan(all.count, 35, "every command is reachable")
        for (path, type) in all {
            for flag in ["--help", "-h"] {
                let parsed = try AssureCommandLine.parseAsRoot(path + [flag])
                XCTAssertEqual(String(describing: Swift.type(of: parsed)), "HelpCommand", "\(path) \(flag)")
            }
            let help = AssureCommandLine.helpMessage(for: type)
            XCTAssertTrue(help.contains("USAGE: assure"), "\(path): \(help)")
            XCTAssertTrue(help.contains("OVERVIEW: "), "\(path) says what it does")
        }
    }

    func testVersionIsTheRelease() {
        XCTAssertThrowsError(try AssureCommandLine.parseAsRoot(["--version"])) { error in
            XCTAssertEqual(AssureCommandLine.fullMessage(for: error), AssureRelease.version)
        }
    }

    func testUsageMistakesNameTheOptionAndExit64() {
        for (arguments, expected) in [
            (["users", "grant", "--email", "a@b.nhs.uk", "--role", "viewer"], "--org is required"),
            (["users", "add", "--name", "Jo"], "--email"),
            (["estate", "import", "--org", "Y99", "--map", "device_id", "f.csv"], "--map 'device_id' is not field=column"),
            (["demo", "national", "--estate-devices=-1"], "--estate-devices must be from 0 to 5,000,000"),
            (["report", "board", "--org", "T91", "--out", "pack.docx"], "--out must end in .pdf or .html"),
            (["frameworks", "export", "dtac", "--format", "pdf"], "--format 'pdf' is not supported"),
        ] {
            XCTAssertThrowsError(try AssureCommandLine.parseAsRoot(arguments), "\(arguments)") { error in
                XCTAssertEqual(AssureCommandLine.exitCode(for: error).rawValue, 64, "\(arguments)")
                XCTAssertTrue(AssureCommandLine.fullMessage(for: error).contains(expected), "\(arguments): \(AssureCommandLine.fullMessage(for: error))")
            }
        }
    }

    func testQuietSaysNothingAndJSONSaysOnlyTheSummary() throws {
        struct Summary: Encodable { var added: Int }
        for (quiet, json) in [(false, false), (true, false), (false, true)] {
            let lines = NIOLockedValueBox<[String]>([])
            let output = CommandOutput(quiet: quiet, json: json, standardOutput: { line in lines.withLockedValue { $0.append(line) } },
                                       standardError: { line in lines.withLockedValue { $0.append("stderr: " + line) } })
            output.say("Imported 3 organisations")
            try output.summary(Summary(added: 3))
            let said = lines.withLockedValue { $0 }
            switch (quiet, json) {
            case (true, _): XCTAssertEqual(said, [])
            case (_, true): XCTAssertEqual(said, ["{\n  \"added\" : 3\n}"])
            default: XCTAssertEqual(said, ["Imported 3 organisations"])
            }
        }
    }

    func testProgressRedrawsOnATerminalAndWritesPlainLinesInALog() {
        let terminal = NIOLockedValueBox<[String]>([])
        let bar = CommandProgress(label: "Importing intune.csv", unit: "rows", total: 2_000, enabled: true, terminal: true) { text in
            terminal.withLockedValue { $0.append(text) }
        }
        bar.update(500)
        bar.update(600) // within the redraw interval: not drawn
        bar.finish()
        let drawn = terminal.withLockedValue { $0 }
        XCTAssertEqual(drawn.count, 2, "\(drawn)")
        XCTAssertTrue(drawn[0].hasPrefix("\r") && drawn[0].contains("[######                  ] 500 of 2,000 rows"), drawn[0])
        XCTAssertTrue(drawn[1].contains("600 of 2,000 rows") && drawn[1].hasSuffix("\n"), drawn[1])

        let log = NIOLockedValueBox<[String]>([])
        let quick = CommandProgress(label: "Importing", unit: "rows", total: 10, enabled: true, terminal: false) { text in log.withLockedValue { $0.append(text) } }
        quick.update(10)
        quick.finish()
        XCTAssertEqual(log.withLockedValue { $0 }, [], "a quick job leaves no progress in a log")

        let silent = CommandProgress(label: "Importing", unit: "rows", total: 10, enabled: false, terminal: true) { _ in XCTFail("--quiet draws nothing") }
        silent.update(5)
        silent.finish()
    }
}
