import Vapor

/// One JSON API operation as the OpenAPI description tells it: its name, words for people, the
/// query it reads and the bodies it takes and answers with. An operation is attached to the route
/// it describes when the route is registered (`routes.api`), and the document is built from the
/// registered routes, so a route cannot be served undescribed or described without being served;
/// bodies are described by reading their Swift types (`JSONSchemaReader`).
struct APIOperation: Sendable {
    var id: String
    var tag: String
    var summary: String
    var description: String? = nil
    var query: [APIParameter] = []
    /// What the request body may be; empty for none.
    var body: [APIContent] = []
    /// The answers other than problems. A handler that returns a typed value (not a `Response`)
    /// needs none: its status is 200 and its body its return type.
    var responses: [APIResponse] = []
    /// Statuses answered with problem details (RFC 9457).
    var problems: [Int] = []
    /// Served without a token (health, readiness, this description).
    var isOpen = false

    static let userInfoKey = "assure.openapi"
}

/// A query parameter. Path parameters are described once for all routes, in `APIPathParameters`.
struct APIParameter: Sendable {
    var name: String
    var description: String
    var schema: JSON
    var required = false

    static func query(_ name: String, _ schema: JSON, _ description: String = "", required: Bool = false) -> APIParameter {
        APIParameter(name: name, description: description, schema: schema, required: required)
    }

    /// A parameter that takes one of an enumeration's values, listed from the type itself.
    static func query<E: CaseIterable & RawRepresentable>(_ name: String, oneOf type: E.Type, adding extra: [String] = [], _ description: String = "")
        -> APIParameter where E.RawValue == String {
        query(name, ["type": "string", "enum": .array((extra + type.allCases.map(\.rawValue)).map(JSON.string))], description)
    }
}

/// A body in one media type, described from a Swift type or by a schema written here.
struct APIContent: Sendable {
    var mediaType: String
    var describe: @Sendable (JSONSchemaReader) throws -> JSON

    static func json<T: Decodable & SendableMetatype>(_ type: T.Type) -> APIContent { APIContent(mediaType: "application/json", type: type) }


    static func media(_ mediaType: String, _ schema: JSON) -> APIContent {
        APIContent(mediaType: mediaType, describe: { _ in schema })
    }

    static let csv = media("text/csv", ["type": "string"])
}

extension APIContent {
    init<T: Decodable & SendableMetatype>(mediaType: String, type: T.Type) {
        self.init(mediaType: mediaType, describe: { try $0.schema(for: T.self) })
    }
}

/// A status other than a problem, with its body if it has one.
struct APIResponse: Sendable {
    var status: Int
    var description: String
    var content: [APIContent] = []

    static func ok<T: Decodable & SendableMetatype>(_ type: T.Type, _ description: String = "OK") -> APIResponse {
        APIResponse(status: 200, description: description, content: [.json(type)])
    }

    static func created<T: Decodable & SendableMetatype>(_ type: T.Type, _ description: String = "Added") -> APIResponse {
        APIResponse(status: 201, description: description, content: [.json(type)])
    }

    static let noContent = APIResponse(status: 204, description: "Done; no body")
}

extension RoutesBuilder {
    /// Registers an API route and attaches its description. A handler's typed return value is its
    /// 200 answer (a `Created` one its 201) unless the operation says otherwise.
    @discardableResult
    func api<R: AsyncResponseEncodable & Sendable>(_ method: HTTPMethod, _ url: SiteURL, _ operation: APIOperation, body: HTTPBodyStreamStrategy = .collect,
                                                   use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        var operation = operation
        if operation.responses.isEmpty, let described = R.self as? any DescribedAnswer.Type {
            operation.responses = described.apiResponses
        }
        if operation.responses.isEmpty, R.self == HTTPStatus.self {
            operation.responses = [.noContent]
        }
        if operation.responses.isEmpty, let typed = R.self as? any (Decodable & SendableMetatype).Type, R.self != Response.self {
            operation.responses = [.ok(typed)]
        }
        let route = on(method, url.pathComponents, body: body, use: handler)
        route.userInfo[APIOperation.userInfoKey] = operation
        return route
    }

}

/// An answer whose statuses and bodies the API description reads from its type.
protocol DescribedAnswer { static var apiResponses: [APIResponse] { get } }

/// A 201 answer: what was added, and where it now lives when it has an address of its own.
/// Returning one (rather than a built `Response`) lets the API description read the body's type.
struct Created<Body: Content>: AsyncResponseEncodable, DescribedAnswer, Sendable {
    var body: Body
    /// The `Location` header's path.
    var location: String?

    init(_ body: Body, at location: SiteURL? = nil) {
        self.body = body
        self.location = location?.path
    }

    init(_ body: Body, atPath location: String) {
        self.body = body
        self.location = location
    }

    static var apiResponses: [APIResponse] { [.created(Body.self)] }

    func encodeResponse(for request: Request) async throws -> Response {
        let response = try await body.encodeResponse(status: .created, for: request)
        if let location { response.headers.replaceOrAdd(name: .location, value: location) }
        return response
    }
}
