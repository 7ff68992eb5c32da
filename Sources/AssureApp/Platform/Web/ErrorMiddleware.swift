import AssureCore
import Vapor

/// The one place errors become responses: an HTML page for people, `application/problem+json`
/// (RFC 9457) for the API. Server faults are logged with the request id and never described
/// to the caller beyond that id.
struct AssureErrorMiddleware: AsyncMiddleware {
    struct Problem: Content {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var instance: String
        var requestId: String
        var problems: [AssureError.FieldProblem]?

        enum CodingKeys: String, CodingKey {
            case type, title, status, detail, instance, problems
            case requestId = "request_id"
        }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch is SignInRequired where Self.wantsHTML(request) {
            let back = request.url.query.map { "\(request.url.path)?\($0)" } ?? request.url.path
            return request.redirect(to: SiteURL.signIn.with(query: [("next", back)]), redirectType: .normal)
        } catch {
            let error = Self.methodNotAllowed(instead: error, on: request) ?? error
            let problem = Self.problem(for: error, on: request)
            if problem.status >= 500 {
                request.logger.report(error: error)
                request.logger.error("Request failed", metadata: ["request-id": .string(request.id), "status": .stringConvertible(problem.status)])
            }
            let response = Self.wantsHTML(request) ? ErrorPage.response(problem, on: request) : Self.json(problem)
            if let abort = error as? any AbortError {
                for (name, value) in abort.headers where name.lowercased() != "content-type" {
                    response.headers.replaceOrAdd(name: name, value: value)
                }
            }
            return response
        }
    }

    /// Vapor answers 404 when a path exists but not for this method; say 405 and which methods it takes.
    static func methodNotAllowed(instead error: any Error, on request: Request) -> (any Error)? {
        guard request.route == nil, let abort = error as? any AbortError, abort.status == .notFound else { return nil }
        let segments = request.url.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        // Routes whose shape fits the path; where a fixed segment ("import") and a parameter ("{code}")
        // both fit, the router takes the fixed one, so only the most specific routes count.
        let fitting = request.application.routes.all.compactMap { route -> (route: Route, fixed: Int)? in
            guard route.path.count == segments.count else { return nil }
            var fixed = 0
            for (component, segment) in zip(route.path, segments) {
                switch component {
                case .constant(let value):
                    guard value == segment else { return nil }
                    fixed += 1
                case .parameter, .anything, .catchall:
                    continue
                }
            }
            return (route, fixed)
        }
        let mostSpecific = fitting.map(\.fixed).max()
        let allowed = Set(fitting.filter { $0.fixed == mostSpecific }.map(\.route.method.rawValue))
        guard !allowed.isEmpty else { return nil }
        let methods = allowed.union(allowed.contains("GET") ? ["HEAD"] : []).sorted().joined(separator: ", ")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .allow, value: methods)
        return Abort(.methodNotAllowed, headers: headers, reason: "\(request.method.rawValue) is not supported here; use \(methods)")
    }

    static func problem(for error: any Error, on request: Request) -> Problem {
        let (status, title, detail, problems) = describe(error)
        return Problem(
            title: title, status: Int(status.code), detail: detail, instance: request.url.path,
            requestId: request.id, problems: problems.isEmpty ? nil : problems
        )
    }

    private static func describe(_ error: any Error) -> (HTTPResponseStatus, String, String, [AssureError.FieldProblem]) {
        switch error {
        case let error as AssureError:
            return (error.status, error.title, error.detail, error.problems)
        case let error as RuleError:
            return describe(AssureError.invalid([error]))
        case let error as DecodingError:
            let (field, message) = DecodingProblem.describe(error)
            return (.badRequest, "Malformed request", message, field.map { [.init(field: $0, message: message)] } ?? [])
        // MultipartKit's parser throws a private error for a body that is not well-formed multipart
        // (a closing boundary and no parts, say): the sender's mistake, so a 400 that says what to send.
        case _ where String(reflecting: type(of: error)).hasPrefix("MultipartKit."):
            return (.badRequest, "Malformed request",
                    "The body could not be read as multipart/form-data: send each field and the file as a part, between the boundary in the Content-Type header.", [])
        case let error as any AbortError where error.status.code < 500:
            return (error.status, error.status.reasonPhrase, error.reason, [])
        case let error as any AbortError:
            return (error.status, error.status.reasonPhrase, "The service could not complete this request.", [])
        default:
            return (.internalServerError, "Something went wrong", "Assure could not complete this request. It has been logged.", [])
        }
    }

    /// API paths always get JSON; elsewhere a browser asking for HTML gets a page.
    static func wantsHTML(_ request: Request) -> Bool {
        if request.url.path.hasPrefix("/api/") { return false }
        let accept = request.headers[.accept].joined(separator: ",")
        if accept.contains("application/json") || accept.contains("application/problem+json") { return accept.contains("text/html") }
        return true
    }

    private static func json(_ problem: Problem) -> Response {
        let response = Response(status: HTTPResponseStatus(statusCode: problem.status))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        response.body = .init(data: (try? encoder.encode(problem)) ?? Data())
        response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json")
        return response
    }
}

/// Turns Swift's decoding errors into sentences that name the JSON field at fault.
enum DecodingProblem {
    static func describe(_ error: DecodingError) -> (field: String?, message: String) {
        func name(_ path: [any CodingKey]) -> String? {
            let joined = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? nil : joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = name(context.codingPath + [key]) ?? key.stringValue
            return (field, "\(field) is required")
        case .valueNotFound(_, let context):
            let field = name(context.codingPath)
            return (field, "\(field ?? "a value") must not be null")
        case .typeMismatch(let type, let context):
            let field = name(context.codingPath)
            return (field, "\(field ?? "the body") must be \(describe(type))")
        case .dataCorrupted(let context):
            if let field = name(context.codingPath) { return (field, "\(field) has an invalid value") }
            return (nil, "The request body is not valid JSON")
        @unknown default:
            return (nil, "The request body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "a JSON object"
        }
    }
}
