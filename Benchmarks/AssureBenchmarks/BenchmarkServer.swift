import Foundation
import Vapor

/// The release `assure` binary as benchmarks use it: commands run to completion, and the server
/// started on its port with a signed-in client that times pages.
struct BenchmarkServer {
    let binary: String
    let environment: [String: String]
    let port: Int

    var base: String { "http://127.0.0.1:\(port)" }

    /// Runs `assure` with arguments (and optional standard input) and returns what it printed.
    @discardableResult
    func command(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe(), inputPipe = Pipe()
        process.standardOutput = output
        if input != nil { process.standardInput = inputPipe }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data((input + "\n").utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { fatalError("assure \(arguments.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A command started in the background, its output going to a file, for work timed while it runs.
    struct Running {
        let process: Process
        let output: URL
        var isRunning: Bool { process.isRunning }
    }

    func start(_ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("assure-benchmark-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        return Running(process: process, output: output)
    }

    /// Waits for a started command and returns what it printed.
    func finish(_ running: Running) throws -> String {
        running.process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: running.output) }
        guard running.process.terminationStatus == 0 else { fatalError("assure \(running.process.arguments?.joined(separator: " ") ?? "") failed") }
        return try String(contentsOf: running.output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `assure serve` (or the arguments given), waits until it is ready, runs `body` with a client, then stops it.
    func serving(_ arguments: [String] = ["serve"], _ body: (Client) async throws -> Void) async throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = arguments
        server.environment = environment
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let clientApp = try await Application.make(.testing)
        clientApp.http.client.configuration.redirectConfiguration = .disallow
        clientApp.http.client.configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        let started = ContinuousClock.now
        while (try? await clientApp.client.get(URI(string: base + "/readyz")))?.status != .ok {
            guard ContinuousClock.now - started < .seconds(30) else { fatalError("server did not become ready") }
            try await Task.sleep(for: .milliseconds(10))
        }
        do { try await body(clientApp.client) } catch { try await clientApp.asyncShutdown(); throw error }
        try await clientApp.asyncShutdown()
    }

    /// Signs in through the sign-in form and returns the session cookie header.
    func signIn(_ client: Client, email: String, password: String) async throws -> HTTPHeaders {
        let form = try await client.get(URI(string: base + "/sign-in"))
        let formToken = form.headers.setCookie?["assure_sign_in_form"]?.string ?? ""
        let encoded = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        let signedIn = try await client.send(ClientRequest(
            method: .POST, url: URI(string: base + "/sign-in"),
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "assure_sign_in_form=\(formToken)"],
            body: ByteBuffer(string: "email=\(encoded(email))&password=\(encoded(password))&form_token=\(formToken)")))
        guard let session = signedIn.headers.setCookie?["assure_session"]?.string else { fatalError("sign-in failed") }
        return ["Cookie": "assure_session=\(session)"]
    }

    /// Warms up, then times `requests` GETs over `paths` and prints p50/p95/p99 against the target.
    func measure(_ client: Client, _ label: String, _ paths: [String], headers: HTTPHeaders, requests: Int, target: String) async throws {
        for path in paths.prefix(10) { _ = try await client.get(URI(string: base + path), headers: headers) }
        var latencies: [Duration] = []
        var bytes = 0
        for index in 0..<requests {
            let path = paths[index % paths.count]
            let begun = ContinuousClock.now
            let response = try await client.get(URI(string: base + path), headers: headers)
            latencies.append(ContinuousClock.now - begun)
            guard response.status == .ok else { fatalError("\(path) answered \(response.status)") }
            bytes = response.body?.readableBytes ?? 0
        }
        latencies.sort()
        let p = { (q: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
        print("\(label), \(requests) requests, \(bytes / 1024) KiB: p50 \(Self.ms(p(0.5))), p95 \(Self.ms(p(0.95))), p99 \(Self.ms(p(0.99))) — target \(target)")
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f ms", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
    }
}
