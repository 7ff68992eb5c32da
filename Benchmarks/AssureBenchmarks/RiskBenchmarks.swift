import Foundation
import Vapor

/// Risk register figures through the real server: importing 10,000 risks into one trust from CSV
/// (target < 2 s), the register page filtered, sorted and paged (p95 < 50 ms), and the heat map
/// (p95 < 20 ms). The server is the release `assure` binary on a fresh database.
enum RiskBenchmarks {
    static func run(binary: String, environment: [String: String], port: Int, risks: Int, requests: Int) async throws {
        let assure = BenchmarkServer(binary: binary, environment: environment, port: port)
        try assure.command(["migrate", "--yes"])
        try assure.command(["demo", "region"])
        let password = "benchmark kettle marmalade"
        try assure.command(["users", "add", "--email", "risk.bench@assure.test", "--name", "Risk Benchmark", "--password-stdin"], input: password)
        try assure.command(["users", "grant", "--email", "risk.bench@assure.test", "--role", "manager", "--org", "T91"])
        let token = try assure.command(["tokens", "create", "--email", "risk.bench@assure.test", "--org", "T91", "--role", "manager", "--name", "bench", "--days", "1"])
        try await assure.serving { client in
            try await measure(assure, client, token: token, password: password, risks: risks, requests: requests)
        }
    }

    static func measure(_ assure: BenchmarkServer, _ client: Client, token: String, password: String, risks: Int, requests: Int) async throws {
        let base = assure.base
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
        let cookie = try await assure.signIn(client, email: "risk.bench@assure.test", password: password)
        func measure(_ label: String, _ paths: [String], target: String) async throws {
            try await assure.measure(client, label, paths, headers: cookie, requests: requests, target: target)
        }
        try await measure("Register page, \(risks) risks, default view (live, by score, page 1 of \(risks / 50))", ["/organisations/T91/risks"], target: "p95 < 50 ms")
        try await measure("Register page filtered, sorted and paged (category, text, band, next review, page 3-7)", (3...7).flatMap { page in
            ["/organisations/T91/risks?category=cyber-security&sort=review&page=\(page)", "/organisations/T91/risks?q=ward&band=high&sort=title&page=\(page)",
             "/organisations/T91/risks?above_appetite=yes&sort=owner&page=\(page)"]
        }, target: "p95 < 50 ms")
        try await measure("Heat map page", ["/organisations/T91/risks/heat-map"], target: "p95 < 20 ms")
    }

    static func ms(_ duration: Duration) -> String { BenchmarkServer.ms(duration) }
}
