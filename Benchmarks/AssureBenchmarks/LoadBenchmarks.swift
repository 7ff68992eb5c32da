import AssureCore
import AssureDemo
import Foundation
import Vapor

/// Throughput under load: `wrk -t2 -c64` against the demo server, signed in as the demo trust's
/// risk manager, on the organisation dashboard and the risk register. Targets (issue 16): the
/// dashboard ≥ 500 requests/s and the register ≥ 1,000 on this 2-core machine. Needs `wrk`
/// (Debian's package); any non-2xx answer or socket error fails the run.
enum LoadBenchmarks {
    static let pages: [(label: String, path: String, target: Double)] = [
        ("Organisation dashboard", "/organisations/T91", 500),
        ("Risk register", "/organisations/T91/risks", 1_000),
    ]

    static func run(binary: String, environment: [String: String], port: Int, seconds: Int) async throws {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            fatalError("--only load needs wrk: apt-get install wrk")
        }
        let server = BenchmarkServer(binary: binary, environment: environment, port: port)
        try await server.serving(["serve", "--demo"]) { client in
            let manager = DemoPeople.all.first { $0.role == .manager }!
            let headers = try await server.signIn(client, email: manager.email, password: DemoPeople.password)
            let cookie = headers.first(name: "Cookie") ?? ""
            for page in pages {
                // One request first, so a failure is reported plainly rather than as a rate.
                let first = try await client.get(URI(string: server.base + page.path), headers: headers)
                guard first.status == .ok else { fatalError("\(page.path) answered \(first.status)") }
                let report = try wrkRun(wrk, url: server.base + page.path, cookie: cookie, seconds: seconds)
                print(String(format: "%@ under load (wrk -t2 -c64 -d%ds): %.0f requests/s, p50 %@, p99 %@ — target ≥ %.0f",
                             page.label, seconds, report.rate, report.p50, report.p99, page.target))
            }
        }
    }

    struct Report { var rate: Double; var p50: String; var p99: String }

    /// Runs wrk with the session cookie and reads its summary; refuses a run with errors.
    static func wrkRun(_ wrk: String, url: String, cookie: String, seconds: Int) throws -> Report {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t2", "-c64", "-d\(seconds)s", "--latency", "-H", "Cookie: \(cookie)", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { fatalError("wrk failed:\n\(text)") }
        if text.contains("Non-2xx or 3xx responses") || text.contains("Socket errors") { fatalError("wrk saw failed requests:\n\(text)") }
        func field(_ prefix: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        guard let rate = field("Requests/sec:").flatMap(Double.init) else { fatalError("could not read wrk's output:\n\(text)") }
        return Report(rate: rate, p50: field("50%") ?? "?", p99: field("99%") ?? "?")
    }
}
