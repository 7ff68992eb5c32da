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
            "Nothing was imported: \(Words.count(problems.count, "problem")) found. First: \(first)",
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
        let value = try content.decode(T.self)
        try Self.refuseUnknownFields(in: body.data, for: value)
        return value
    }

    /// A field the API does not know is refused by name, never ignored: a misspelt `owner` must
    /// not quietly leave a record unchanged (or, worse, read as "no owner"). The fields a body type
    /// knows are those its decoding reads, found as the API description finds them.
    static func refuseUnknownFields<T: Decodable>(in body: ByteBuffer?, for value: T) throws {
        let known = BodyFieldNames.of(T.self)
        guard !known.isEmpty, let body, let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else { return }
        let unknown = object.keys.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        throw AssureError.invalid(unknown.map { RuleError(field: $0, message: "'\($0.prefix(60))' is not a field here; send only: \(known.sorted().joined(separator: ", "))") })
    }
}

extension Array where Element == AssureError.FieldProblem {
    /// The message for one field, to show beside it in a form.
    func message(for field: String) -> String? { first { $0.field == field }?.message }
}
