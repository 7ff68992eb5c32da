import XCTest
import VaporTesting
@testable import AssureApp
final class AppSmokeTests: XCTestCase { func testX() {} }
