import AssureCore
import Vapor

extension Request {
    /// The client's address for throttling and the audit trail: the connection's own, or what a
    /// trusted proxy (`ASSURE_TRUSTED_PROXIES`) says it forwarded (`ClientAddress.resolve`).
    var clientAddress: String? {
        ClientAddress.resolve(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor], forwarded: headers[.forwarded],
                              trusted: application.assureConfiguration.trustedProxies)
    }
}
