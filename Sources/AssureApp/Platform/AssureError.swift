import AssureCore
import Vapor

/// A problem with a request that the user can put right, rendered as an HTML error page or as
/// RFC 9457 `application/problem+json`. `problems` names each field (and line, for imports).
struct AssureError: AbortError, Sendable {
    struct FieldProblem: Content, Equatable {
        var field: String
        var message: String
        var line: Int?
    }

    var status: HTTPResponseStatus
    var title: String
    var detail: String
    var problems: [FieldProblem] = []

    var reason: String { detail }

    static func notFound(_ what: String) -> AssureError {
        AssureError(status: .notFound, title: "Not found", detail: what)
    }

    static func invalid(_ detail: String, _ problems: [FieldProblem]) -> AssureError {
        AssureError(status: .unprocessableEntity, title: "Invalid input", detail: detail, problems: problems)
    }

    static func invalid(_ errors: [RuleError]) -> AssureError {
        let first = errors.first.map { "\($0.field): \($0.message)" } ?? "The input is not valid"
        return .invalid(errors.count == 1 ? first : "\(errors.count) fields need correcting. \(first)",
                        errors.map { FieldProblem(field: $0.field, message: $0.message) })
    }

    static func invalid(_ problems: [ImportProblem]) -> AssureError {
        let first = problems.first.map(\.description) ?? ""
        return .invalid(
            "Nothing was imported: \(problems.count) problem\(problems.count == 1 ? "" : "s") found. First: \(first)",
            problems.map { FieldProblem(field: $0.field, message: $0.message, line: $0.line) }
        )
    }
}

extension RuleError: AbortError {
    public var status: HTTPResponseStatus { .unprocessableEntity }
    public var reason: String { "\(field): \(message)" }
}

extension Request {
    /// Decodes a JSON body, insisting on `Content-Type: application/json` so a form post or a
    /// text body gets 415 rather than a confusing parse error.
    func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        guard headers.contentType?.type == "application", headers.contentType?.subType == "json" else {
            throw AssureError(status: .unsupportedMediaType, title: "Unsupported media type",
                              detail: "Send the body as JSON with the header Content-Type: application/json")
        }
        return try content.decode(T.self)
    }
}

extension Array where Element == AssureError.FieldProblem {
    /// The message for one field, to show beside it in a form.
    func message(for field: String) -> String? { first { $0.field == field }?.message }
}
