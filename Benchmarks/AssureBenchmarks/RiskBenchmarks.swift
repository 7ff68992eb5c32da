import Foundation
import Vapor

/// Risk register figures through the real server: importing 10,000 risks into one trust from CSV
/// (target < 2 s), the register page filtered, sorted and paged (p95 < 50 ms), and the heat map
/// (p95 < 20 ms). The server is the release `assure` binary on a fresh database.
enum RiskBenchmarks {
    static func run(binary: String, environment: [String: String], port: Int, risks: Int, requests: Int) async throws {
        func assure(_ arguments: [String], input: String? = nil) throws -> String {
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
        _ = try assure(["migrate", "--yes"])
        _ = try assure(["demo", "region"])
        let password = "benchmark kettle marmalade"
        _ = try assure(["users", "add", "--email", "risk.bench@assure.test", "--name", "Risk Benchmark", "--password-stdin"], input: password)
        _ = try assure(["users", "grant", "--email", "risk.bench@assure.test", "--role", "manager", "--org", "T91"])
        let token = try assure(["tokens", "create", "--email", "risk.bench@assure.test", "--org", "T91", "--role", "manager", "--name", "bench", "--days", "1"])

        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve"]
        server.environment = environment
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let clientApp = try await Application.make(.testing)
        clientApp.http.client.configuration.redirectConfiguration = .disallow
        clientApp.http.client.configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        let client = clientApp.client
        let base = "http://127.0.0.1:\(port)"
        let started = ContinuousClock.now
        while (try? await client.get(URI(string: base + "/readyz")))?.status != .ok {
            guard ContinuousClock.now - started < .seconds(30) else { fatalError("server did not become ready") }
            try await Task.sleep(for: .milliseconds(10))
        }

        // Import: a synthetic register, as a Datix export mapped to Assure's fields would be.
        let categories = ["cyber-security", "data-protection", "clinical-safety", "regulatory", "financial", "operational", "strategic", "workforce", "supplier"]
        var csv = "title,cause,event,effect,category,owner,department,source_reference,opened,initial_likelihood,initial_consequence,current_likelihood,current_consequence,target_likelihood,target_consequence\n"
        for index in 0..<risks {
            let l = index % 5 + 1, c = (index / 5) % 5 + 1
            csv += "Risk \(index) to ward systems,Cause \(index),Event \(index),Effect \(index),\(categories[index % categories.count]),risk.bench@assure.test,"
            csv += "Directorate \(index % 12),DX\(100_000 + index),2025-\(String(format: "%02d", index % 12 + 1))-15,\(l),\(c),\(max(1, l - index % 2)),\(c),1,\(max(1, c - 1))\n"
        }
        var importRequest = ClientRequest(method: .POST, url: URI(string: base + "/api/v1/organisations/T91/risks/import"),
                                          headers: ["Content-Type": "text/csv"], body: ByteBuffer(string: csv))
        importRequest.headers.bearerAuthorization = BearerAuthorization(token: token)
        let importStarted = ContinuousClock.now
        let imported = try await client.send(importRequest)
        let importTime = ContinuousClock.now - importStarted
        guard imported.status == .created else { fatalError("import failed: \(imported.status) \(imported.body.map { String(buffer: $0) } ?? "")") }
        print("Risk import: \(risks) rows (\(csv.utf8.count / 1024) KiB) in \(ms(importTime)) through the API — target < 2 s")

        // Pages as a signed-in risk manager.
        let form = try await client.get(URI(string: base + "/sign-in"))
        let formToken = form.headers.setCookie?["assure_sign_in_form"]?.string ?? ""
        let signedIn = try await client.send(ClientRequest(
            method: .POST, url: URI(string: base + "/sign-in"),
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "assure_sign_in_form=\(formToken)"],
            body: ByteBuffer(string: "email=risk.bench%40assure.test&password=benchmark+kettle+marmalade&form_token=\(formToken)")))
        guard let session = signedIn.headers.setCookie?["assure_session"]?.string else { fatalError("sign-in failed") }
        let cookie: HTTPHeaders = ["Cookie": "assure_session=\(session)"]
        func measure(_ label: String, _ paths: [String], target: String) async throws {
            for path in paths.prefix(10) { _ = try await client.get(URI(string: base + path), headers: cookie) }
            var latencies: [Duration] = []
            var bytes = 0
            for index in 0..<requests {
                let path = paths[index % paths.count]
                let begun = ContinuousClock.now
                let response = try await client.get(URI(string: base + path), headers: cookie)
                latencies.append(ContinuousClock.now - begun)
                guard response.status == .ok else { fatalError("\(path) answered \(response.status)") }
                bytes = response.body?.readableBytes ?? 0
            }
            latencies.sort()
            let p = { (q: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
            print("\(label), \(requests) requests, \(bytes / 1024) KiB: p50 \(ms(p(0.5))), p95 \(ms(p(0.95))), p99 \(ms(p(0.99))) — target \(target)")
        }
        try await measure("Register page, \(risks) risks, default view (live, by score, page 1 of \(risks / 50))", ["/organisations/T91/risks"], target: "p95 < 50 ms")
        try await measure("Register page filtered, sorted and paged (category, text, band, next review, page 3-7)", (3...7).flatMap { page in
            ["/organisations/T91/risks?category=cyber-security&sort=review&page=\(page)", "/organisations/T91/risks?q=ward&band=high&sort=title&page=\(page)",
             "/organisations/T91/risks?above_appetite=yes&sort=owner&page=\(page)"]
        }, target: "p95 < 50 ms")
        try await measure("Heat map page", ["/organisations/T91/risks/heat-map"], target: "p95 < 20 ms")
        try await clientApp.asyncShutdown()
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f ms", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
    }
}
