import Plot
import Vapor

/// The page people see when something goes wrong: what happened, what to do, and a reference.
enum ErrorPage {
    static func response(_ problem: AssureErrorMiddleware.Problem, on request: Request) -> Response {
        let status = HTTPResponseStatus(statusCode: problem.status)
        let title = status == .notFound ? "Page not found" : problem.title
        let shell = PageShell(title: title, breadcrumbs: [.init(title: "Organisations", url: .organisations)])
        // The error is caught outside the middleware that names the signed-in person for views, so
        // name them here: the header shows who is signed in, not "Sign in".
        let identity = request.identity
        return RequestContext.$identity.withValue(identity) {
            RequestContext.$csrfToken.withValue(identity?.csrfToken) { Layout.response(shell, status: status, view(problem, title: title)) }
        }
    }

    static func view(_ problem: AssureErrorMiddleware.Problem, title: String) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(title)),
            .p(.class("lede"), .text(problem.detail)),
            .unwrap(problem.problems) { problems in
                .ul(.forEach(problems) { item in
                    .li(.text(item.line.map { "Line \($0), \(item.field): \(item.message)" } ?? "\(item.field): \(item.message)"))
                })
            },
            .unwrap(advice(for: problem.status)) { .p(.text($0)) },
            .p(.class("muted"), .text("Reference: \(problem.requestId)"))
        )
    }

    /// What to do next; a refusal (403) says whom to ask in its own words.
    private static func advice(for status: Int) -> String? {
        switch status {
        case 403: nil
        case 404: "If you typed the address, check it is correct. If you followed a link, what it pointed to may have been removed, or you may not have access to it."
        case 400..<500: "Go back, correct the request and try again."
        default: "Try again later. If it keeps happening, give the reference below to your Assure administrator."
        }
    }
}
