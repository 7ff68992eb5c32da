import AssureCore
import Vapor

/// What views need from the request while they render (the signed-in person and the form token),
/// carried as task-locals so every page and form gets them without passing them through each view.
enum RequestContext {
    @TaskLocal static var identity: Identity?
    @TaskLocal static var csrfToken: String?
}

/// Makes the identity available to views, and refuses a form post from a signed-in session that
/// does not carry the session's CSRF token (a synchroniser token). The API takes no cookies, so it
/// is not a CSRF target; sign-in has its own token (the session does not exist yet).
///
/// A form with a file carries the token in its address (`Components.uploadAction`), so the file is
/// not read here: the route reads it once it knows the person may upload (`bodyAfterAuthorisation`).
/// The address reaches no other site (`Referrer-Policy: same-origin`) and no log (paths only).
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "csrf_token"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let identity = request.identity
        // Only a request that reaches a route can change anything; one that does not (a PUT to a
        // page) goes on to the router's 404, which the error middleware turns into 405 with Allow.
        if let identity, request.route != nil, request.method != .GET, request.method != .HEAD, !request.url.path.hasPrefix("/api/"),
           request.url.path != SiteURL.signIn.path {
            let sent: String
            if request.headers.contentType?.type == "multipart" {
                sent = (try? request.query.get(String.self, at: Self.field)) ?? ""
            } else {
                try await Self.collectBody(of: request)
                sent = (try? request.content.get(String.self, at: Self.field)) ?? ""
            }
            guard Secret.constantTimeEquals(sent, identity.csrfToken) else {
                throw AssureError(status: .forbidden, title: "Form expired",
                                  detail: "This form has expired or did not come from Assure. Go back, reload the page and try again.")
            }
        }
        return try await RequestContext.$identity.withValue(identity) {
            try await RequestContext.$csrfToken.withValue(identity?.csrfToken) {
                try await next.respond(to: request)
            }
        }
    }

    /// A form without a file is small: its body is read here, at most 1 MB, to find the token.
    private static func collectBody(of request: Request) async throws {
        guard request.body.data == nil else { return }
        _ = try await request.body.collect(max: 1024 * 1024).get()
    }
}
