import Vapor

/// Serves the OpenAPI 3.1 description kept in `Resources/openapi.json`.
/// `OpenAPIDocumentTests` fails when it and the registered `/api/v1` routes disagree.
struct OpenAPIDocument: RouteCollection {
    static let bytes: [UInt8] = PackageResources.openapi_json

    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.api(.openAPI).pathComponents) { _ in
            var headers = HTTPHeaders()
            headers.contentType = .json
            return Response(status: .ok, headers: headers, body: .init(data: Data(Self.bytes)))
        }
    }
}
