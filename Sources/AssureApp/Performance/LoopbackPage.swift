import AssureCore
import Foundation
import Vapor

/// One HTML page served on 127.0.0.1 at a random port and an unguessable path, for headless
/// Chromium to print: a page loaded this way has an http origin, so it cannot reach `file://`.
struct LoopbackPage {
    let url: String
    private let app: Application

    static func serve(_ html: String, contentSecurityPolicy: String) async throws -> LoopbackPage {
        let app = try await Application.make(Environment(name: "loopback", arguments: ["loopback"]))
        app.logger.logLevel = .error
        let secret = Secret.generate()
        app.get(PathComponent(stringLiteral: secret)) { _ -> Response in
            var headers = HTTPHeaders()
            headers.contentType = .html
            headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
            headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return Response(status: .ok, headers: headers, body: .init(string: html))
        }
        do {
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            guard let port = app.http.server.shared.localAddress?.port else { throw CommandFailure(message: "report board: could not serve the page to Chromium") }
            return LoopbackPage(url: "http://127.0.0.1:\(port)/\(secret)", app: app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    func stop() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}
