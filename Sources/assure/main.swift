import AssureApp
import Foundation
import Vapor

/// Boots Assure: read the configuration, wire the app, run the command (`serve` by default).
var arguments = CommandLine.arguments
let configuration: AssureConfiguration
do {
    configuration = try AssureConfiguration.load(environment: ProcessInfo.processInfo.environment, arguments: &arguments)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
AssureLogging.bootstrap(configuration)

let environment = Environment(name: ProcessInfo.processInfo.environment["ASSURE_ENV"] ?? "production", arguments: arguments)
let app = try await Application.make(environment)
let command = arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "serve"
// Help touches nothing: no data directory, no database file, no migrations, no banner.
let helpOnly = AssureStartup.asksForHelp(arguments)
var failed = false
do {
    try await configure(app, helpOnly ? configuration.withoutStorage : configuration)
    if command == "serve", !helpOnly {
        try await AssureStartup.prepareToServe(app)
        FileHandle.standardOutput.write(Data((AssureStartup.banner(app) + "\n").utf8))
    } else if configuration.logLevel > .debug {
        // Commands print their own results and errors; Vapor would log each error a second time.
        app.logger.logLevel = .error
    }
    try await app.execute()
} catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    failed = true
}
try? await app.asyncShutdown()
exit(failed ? 1 : 0)
