import Vapor

/// Serves the OpenAPI 3.1 description that `OpenAPIBuilder` writes from the registered routes
/// once they are all registered (`configure`), so the document and the routes cannot disagree.
struct OpenAPIDocument: RouteCollection {
    struct Key: StorageKey { typealias Value = [UInt8] }

    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, SiteURL.api(.openAPI), .getOpenAPI) { req in
            guard let bytes = req.application.storage[Key.self] else { throw Abort(.serviceUnavailable) }
            var headers = HTTPHeaders()
            headers.contentType = .json
            return Response(status: .ok, headers: headers, body: .init(data: Data(bytes)))
        }
    }

    /// Writes the document from every route registered so far; call once all modules are registered.
    static func write(for app: Application) throws {
        let tags = AssureModules.all.reduce(into: [String: String]()) { $0.merge($1.apiTags) { first, _ in first } }
        app.storage[Key.self] = Array(try OpenAPIBuilder.document(for: app.routes.all, tags: tags).encoded())
    }
}
