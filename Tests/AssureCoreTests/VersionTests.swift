import XCTest
@testable import AssureCore
final class VersionTests: XCTestCase { func testV() { XCTAssertFalse(AssureCoreVersion.value.isEmpty) } }
