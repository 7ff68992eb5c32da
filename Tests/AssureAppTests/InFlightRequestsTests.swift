import XCTVapor
@testable import AssureApp

/// `serve` waits for requests being handled before the databases close; the counter it waits on
/// must see a request from arrival to answer.
final class InFlightRequestsTests: XCTestCase {
    struct Gate: AsyncResponder {
        let opened: AsyncStream<Void>
        func respond(to request: Request) async throws -> Response {
            for await _ in opened { break }
            return Response(status: .ok)
        }
    }

    func testARequestCountsUntilItIsAnsweredAndDrainWaitsForIt() async throws {
        try await withAssure { app in
            let counter = InFlightRequests()
            let (opened, open) = AsyncStream<Void>.makeStream()
            let request = Request(application: app, on: app.eventLoopGroup.any())
            let answer = Task { try await counter.respond(to: request, chainingTo: Gate(opened: opened)) }
            while counter.current == 0 { try await Task.sleep(for: .milliseconds(1)) }
            XCTAssertEqual(counter.current, 1)
            let stillRunning = await counter.drain(within: .milliseconds(50))
            XCTAssertEqual(stillRunning, 1, "drain gives up at its limit and says what was left")
            open.yield()
            _ = try await answer.value
            let left = await counter.drain(within: .seconds(5))
            XCTAssertEqual(left, 0)
        }
    }
}
