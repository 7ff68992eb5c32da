import Logging
import XCTest
@testable import AssureApp

final class LoggingTests: XCTestCase {
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [Data] = []
        func append(_ line: Data) { lock.withLock { lines.append(line) } }
        var all: [Data] { lock.withLock { lines } }
    }

    func testJSONLinesCarryLevelMessageAndRequestID() throws {
        let sink = Sink()
        var logger = Logger(label: "assure.test") { JSONLogHandler(label: $0, level: .info, write: sink.append) }
        logger[metadataKey: "request-id"] = "ABC-123"
        logger.debug("hidden below the level")
        logger.warning("Readiness check failed", metadata: ["status": "503"])
        XCTAssertEqual(sink.all.count, 1)
        let line = try XCTUnwrap(sink.all.first)
        XCTAssertEqual(line.last, 0x0A, "one object per line")
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: line) as? [String: String])
        XCTAssertEqual(record["level"], "warning")
        XCTAssertEqual(record["message"], "Readiness check failed")
        XCTAssertEqual(record["request-id"], "ABC-123")
        XCTAssertEqual(record["status"], "503")
        XCTAssertTrue(record["time"]?.hasSuffix("Z") ?? false)
    }
}
