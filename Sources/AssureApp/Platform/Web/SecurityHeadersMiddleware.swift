import Vapor

/// Headers on every response that stop the browser doing what Assure never needs: running
/// scripts or styles from anywhere but Assure (none inline), being framed, sniffing types,
/// leaking addresses in referrers, or using device features.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let servedOverTLS: Bool

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
    ].joined(separator: "; ")

    static let permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "DENY"),
            ("Permissions-Policy", Self.permissionsPolicy),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        // Pages and API answers hold an organisation's records: no browser or proxy keeps a copy.
        // Only the fingerprinted stylesheet says otherwise, and sets its own.
        if !response.headers.contains(name: .cacheControl) { response.headers.replaceOrAdd(name: .cacheControl, value: "no-store") }
        if servedOverTLS {
            response.headers.replaceOrAdd(name: .strictTransportSecurity, value: "max-age=31536000; includeSubDomains")
        }
        return response
    }
}
