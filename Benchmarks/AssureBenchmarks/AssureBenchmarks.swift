import AssureApp
import AssureCore
import Foundation
import SQLKit
import Vapor

/// Release-mode benchmarks for the platform issue. Run:
///   swift run -c release AssureBenchmarks                       (SQLite)
///   swift run -c release AssureBenchmarks --postgres URL        (PostgreSQL; the database is wiped)
///   … --only access | audit | risk | compliance | matching | estate | national-estate | performance | platform
///   --only load [--seconds N]: wrk against the demo dashboard and risk register (needs wrk)
///   --only performance: the national demo's snapshot, roll-up pages, dashboards and board packs
///   --only estate [--devices N]: 1M-row inventory import and the estate overview (60,000 devices)
///   --only national-estate [--devices N]: 2.1M devices matched and rolled up in memory
///   --only matching [--nvd FILE]: CVE matching on one core (default ../shared/data/nvd/nvd-configurations.jsonl.gz)
/// Targets: organisation tree page with ~7,000 organisations p95 < 50 ms; start-up to ready < 2 s;
/// permission check < 1 µs; audit append adds < 1 ms p95 to a write; `audit verify` ≥ 200,000 entries/s.
@main
enum AssureBenchmarks {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let postgresURL = arguments.firstIndex(of: "--postgres").map { arguments[$0 + 1] }
        let requests = arguments.firstIndex(of: "--requests").flatMap { Int(arguments[$0 + 1]) } ?? 300
        let only = arguments.firstIndex(of: "--only").map { arguments[$0 + 1] }

        let workDirectory = NSTemporaryDirectory() + "assure-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        // --keep leaves the databases and generated files behind, for profiling one step again.
        let keep = arguments.contains("--keep")
        defer { if keep { print("Kept \(workDirectory)") } else { try? FileManager.default.removeItem(atPath: workDirectory) } }

        let port = 18_000 + Int.random(in: 0..<2_000)
        var environment = ProcessInfo.processInfo.environment
        environment["ASSURE_DATA_DIR"] = workDirectory
        environment["ASSURE_PORT"] = String(port)
        environment["ASSURE_LOG_LEVEL"] = "warning"
        if let postgresURL { environment["DATABASE_URL"] = postgresURL } else { environment.removeValue(forKey: "DATABASE_URL") }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("assure").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            fatalError("Build the server first: swift build -c release (looked for \(binary))")
        }
        print("Assure benchmarks — database: \(postgresURL == nil ? "SQLite file" : "PostgreSQL"), binary: \(binary)")
        if only == nil || only == "access" {
            AccessBenchmarks.run()
            if only == "access" { return }
        }
        if only == nil || only == "audit" {
            let entries = arguments.firstIndex(of: "--audit-entries").flatMap { Int(arguments[$0 + 1]) } ?? 300_000
            try await AuditBenchmarks.run(postgresURL: postgresURL, directory: workDirectory, entries: entries)
            if only == "audit" { return }
        }
        if only == nil || only == "risk" {
            if let postgresURL { try await wipe(postgresURL) }
            var riskEnvironment = environment
            let riskDirectory = workDirectory + "/risk"
            try FileManager.default.createDirectory(atPath: riskDirectory, withIntermediateDirectories: true)
            riskEnvironment["ASSURE_DATA_DIR"] = riskDirectory
            riskEnvironment["ASSURE_PORT"] = String(port + 1)
            let risks = arguments.firstIndex(of: "--risks").flatMap { Int(arguments[$0 + 1]) } ?? 10_000
            try await RiskBenchmarks.run(binary: binary, environment: riskEnvironment, port: port + 1, risks: risks, requests: requests)
            if only == "risk" { return }
        }
        if only == nil || only == "matching" {
            let feed = arguments.firstIndex(of: "--nvd").map { arguments[$0 + 1] } ?? "../shared/data/nvd/nvd-configurations.jsonl.gz"
            try MatchingBenchmarks.run(feed: feed, pairs: 50_000)
            if only == "matching" { return }
        }
        if only == nil || only == "compliance" {
            if let postgresURL { try await wipe(postgresURL) }
            var complianceEnvironment = environment
            let complianceDirectory = workDirectory + "/compliance"
            try FileManager.default.createDirectory(atPath: complianceDirectory, withIntermediateDirectories: true)
            complianceEnvironment["ASSURE_DATA_DIR"] = complianceDirectory
            complianceEnvironment["ASSURE_PORT"] = String(port + 2)
            var configuration = AssureConfiguration(dataDirectory: complianceDirectory, logLevel: .warning)
            configuration.database = postgresURL.map { .postgres(url: $0) } ?? .sqliteFile(path: complianceDirectory + "/" + AssureConfiguration.sqliteFileName)
            let links = arguments.firstIndex(of: "--evidence-links").flatMap { Int(arguments[$0 + 1]) } ?? 20_000
            try await ComplianceBenchmarks.run(binary: binary, environment: complianceEnvironment, configuration: configuration, directory: complianceDirectory,
                                               port: port + 2, links: links, requests: requests)
            if only == "compliance" { return }
        }
        let sharedData = arguments.firstIndex(of: "--data").map { arguments[$0 + 1] } ?? "../shared/data"
        if only == nil || only == "national-estate" {
            let devices = arguments.firstIndex(of: "--devices").flatMap { Int(arguments[$0 + 1]) } ?? 2_100_000
            try EstateBenchmarks.national(devices: devices, data: sharedData)
            if only == "national-estate" { return }
        }
        if only == nil || only == "estate" {
            if let postgresURL { try await wipe(postgresURL) }
            var estateEnvironment = environment
            let estateDirectory = workDirectory + "/estate"
            try FileManager.default.createDirectory(atPath: estateDirectory, withIntermediateDirectories: true)
            estateEnvironment["ASSURE_DATA_DIR"] = estateDirectory
            estateEnvironment["ASSURE_PORT"] = String(port + 3)
            // 60,000 devices at about 16.7 titles each make a 1,000,000-row inventory.
            let devices = arguments.firstIndex(of: "--devices").flatMap { Int(arguments[$0 + 1]) } ?? 60_000
            try await EstateBenchmarks.server(binary: binary, environment: estateEnvironment, port: port + 3, directory: estateDirectory, data: sharedData,
                                              devices: devices, requests: requests)
            if only == "estate" { return }
        }
        if only == "load" {
            var loadEnvironment = environment
            let loadDirectory = workDirectory + "/load"
            try FileManager.default.createDirectory(atPath: loadDirectory, withIntermediateDirectories: true)
            loadEnvironment["ASSURE_DATA_DIR"] = loadDirectory
            loadEnvironment["ASSURE_PORT"] = String(port + 5)
            // On the SQLite file, as the quick start serves the demo.
            loadEnvironment.removeValue(forKey: "DATABASE_URL")
            let seconds = arguments.firstIndex(of: "--seconds").flatMap { Int(arguments[$0 + 1]) } ?? 30
            try await LoadBenchmarks.run(binary: binary, environment: loadEnvironment, port: port + 5, seconds: seconds)
            return
        }
        if only == nil || only == "performance" {
            if let postgresURL { try await wipe(postgresURL) }
            var performanceEnvironment = environment
            let performanceDirectory = workDirectory + "/performance"
            try FileManager.default.createDirectory(atPath: performanceDirectory, withIntermediateDirectories: true)
            performanceEnvironment["ASSURE_DATA_DIR"] = performanceDirectory
            performanceEnvironment["ASSURE_PORT"] = String(port + 4)
            try await PerformanceBenchmarks.run(binary: binary, environment: performanceEnvironment, port: port + 4, requests: requests)
            if only == "performance" { return }
        }
        guard only == nil || only == "platform" else {
            fatalError("--only takes access, audit, risk, matching, compliance, estate, national-estate, performance, load or platform")
        }

        /// Runs `assure` with arguments (and optional standard input) and waits for it to finish.
        func runAssure(_ arguments: [String], input: String? = nil) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.environment = environment
            let pipe = Pipe()
            if input != nil { process.standardInput = pipe }
            try process.run()
            if let input {
                pipe.fileHandleForWriting.write(Data((input + "\n").utf8))
                try pipe.fileHandleForWriting.close()
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { fatalError("assure \(arguments.joined(separator: " ")) failed") }
        }

        // Prepare: on PostgreSQL start from an empty schema; then migrate and load the national tree.
        if postgresURL != nil {
            let app = try await Application.make(.testing)
            try await configure(app, AssureConfiguration(database: .postgres(url: postgresURL!), logLevel: .warning))
            try await (app.db as! any SQLDatabase).raw("DROP SCHEMA IF EXISTS public CASCADE").run()
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA public").run()
            try await app.asyncShutdown()
        }
        let loadStart = ContinuousClock.now
        try runAssure(["migrate", "--yes"])
        try runAssure(["demo", "national", "--estate-devices", "0"])
        try runAssure(["demo", "region"])
        // Pages need a signed-in person: a system administrator sees all 6,598 organisations.
        let password = "benchmark kettle marmalade"
        try runAssure(["users", "add", "--email", "bench@assure.test", "--name", "Benchmark", "--password-stdin"], input: password)
        try runAssure(["users", "grant", "--email", "bench@assure.test", "--role", "system-admin"])
        print("Loaded the national tree in \(ContinuousClock.now - loadStart) (migrate + import through the CLI)")

        // Start-up to ready on an existing database, five times.
        var startups: [Duration] = []
        // Vapor's HTTP client (AsyncHTTPClient underneath) drives the server over loopback.
        let clientApp = try await Application.make(.testing)
        // Redirects are answers to look at here (sign-in sets its cookie on one), not to follow.
        clientApp.http.client.configuration.redirectConfiguration = .disallow
        let client = clientApp.client
        var cookie = ""
        func status(_ path: String) async -> (Int, Int)? {
            guard let response = try? await client.get(URI(string: "http://127.0.0.1:\(port)\(path)"), headers: ["Cookie": cookie]) else { return nil }
            return (Int(response.status.code), response.body?.readableBytes ?? 0)
        }
        var server: Process?
        for round in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve"]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            let started = ContinuousClock.now
            try process.run()
            while await status("/readyz")?.0 != 200 {
                guard process.isRunning, ContinuousClock.now - started < .seconds(30) else { fatalError("server did not become ready") }
                try await Task.sleep(for: .milliseconds(5))
            }
            startups.append(ContinuousClock.now - started)
            if round < 4 {
                process.terminate()
                process.waitUntilExit()
            } else {
                server = process
            }
        }
        func ms(_ duration: Duration) -> String { String(format: "%.1f ms", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000) }
        let sortedStartups = startups.sorted()
        print("Start-up to ready (existing database, 5 runs): median \(ms(sortedStartups[2])), max \(ms(sortedStartups[4])) — target < 2 s")

        // Sign in through the real form, as a person would.
        let form = try await client.get(URI(string: "http://127.0.0.1:\(port)/sign-in"))
        let formToken = form.headers.setCookie?["assure_sign_in_form"]?.string ?? ""
        let signInRequest = ClientRequest(
            method: .POST, url: URI(string: "http://127.0.0.1:\(port)/sign-in"),
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "assure_sign_in_form=\(formToken)"],
            body: ByteBuffer(string: "email=bench%40assure.test&password=benchmark+kettle+marmalade&form_token=\(formToken)"))
        let signedIn = try await client.send(signInRequest)
        guard let session = signedIn.headers.setCookie?["assure_session"]?.string else { fatalError("sign-in failed: \(signedIn.status)") }
        cookie = "assure_session=\(session)"

        // Tree page with every organisation, sequential requests through the real HTTP server.
        guard let first = await status("/organisations"), first.0 == 200 else { fatalError("tree page failed") }
        let count = try await {
            let page = try await client.get(URI(string: "http://127.0.0.1:\(port)/organisations"), headers: ["Cookie": cookie])
            let html = String(buffer: page.body ?? ByteBuffer())
            guard let range = html.range(of: "<h2>") else { return 0 }
            return Int(html[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }()
        for _ in 0..<20 { _ = await status("/organisations") }
        var latencies: [Duration] = []
        for _ in 0..<requests {
            let started = ContinuousClock.now
            guard await status("/organisations")?.0 == 200 else { fatalError("tree page failed") }
            latencies.append(ContinuousClock.now - started)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Duration { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print("Organisation tree page, \(count) organisations, \(first.1 / 1024) KiB of HTML, \(requests) requests: p50 \(ms(percentile(0.5))), p95 \(ms(percentile(0.95))), p99 \(ms(percentile(0.99))) — target p95 < 50 ms")

        var searches: [Duration] = []
        for index in 0..<100 {
            let started = ContinuousClock.now
            _ = await status("/organisations?q=surgery+\(index)")
            searches.append(ContinuousClock.now - started)
        }
        searches.sort()
        print("Organisation search page (100 requests): p95 \(ms(searches[95]))")

        server?.terminate()
        server?.waitUntilExit()
        try await clientApp.asyncShutdown()
    }

    /// PostgreSQL keeps data between runs, so each server-driven part starts from an empty schema.
    static func wipe(_ postgresURL: String) async throws {
        let app = try await Application.make(.testing)
        try await configure(app, AssureConfiguration(database: .postgres(url: postgresURL), logLevel: .warning))
        try await (app.db as! any SQLDatabase).raw("DROP SCHEMA IF EXISTS public CASCADE").run()
        try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA public").run()
        try await app.asyncShutdown()
    }
}
