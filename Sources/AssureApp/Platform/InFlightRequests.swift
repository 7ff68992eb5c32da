import NIOConcurrencyHelpers
import Vapor

/// Counts requests being handled, so `serve` can let them finish before the databases close: a
/// stopped HTTP server takes no new requests, but handlers already running still need their database.
final class InFlightRequests: AsyncMiddleware, Sendable {
    private let count = NIOLockedValueBox(0)

    var current: Int { count.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        count.withLockedValue { $0 += 1 }
        defer { count.withLockedValue { $0 -= 1 } }
        return try await next.respond(to: request)
    }

    /// Waits until no request is being handled, or the time is up; says how many were left.
    func drain(within limit: Duration, clock: ContinuousClock = ContinuousClock()) async -> Int {
        let deadline = clock.now + limit
        while current > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return current
    }
}

struct InFlightRequestsKey: StorageKey { typealias Value = InFlightRequests }

extension Application {
    var inFlightRequests: InFlightRequests {
        if let existing = storage[InFlightRequestsKey.self] { return existing }
        let made = InFlightRequests()
        storage[InFlightRequestsKey.self] = made
        return made
    }
}
