import AssureCore
import XCTest
@testable import AssureApp

/// What each module declares fits together: names, API tags, and one owner for every key indicator.
final class AssureModulesTests: XCTestCase {
    func testEveryKeyIndicatorIsMeasuredByExactlyOneModule() {
        let owned = AssureModules.indicatorSources.flatMap(\.indicators)
        XCTAssertEqual(Set(owned), Set(KeyIndicator.allCases), "an indicator no module measures would read as never measured")
        XCTAssertEqual(owned.count, Set(owned).count, "two modules measure the same indicator")
    }

    func testModuleNamesAndAPITagsAreUnique() {
        let names = AssureModules.all.map(\.name)
        XCTAssertEqual(names.count, Set(names).count)
        let tags = AssureModules.all.flatMap(\.apiTags.keys)
        XCTAssertEqual(tags.count, Set(tags).count)
    }
}
