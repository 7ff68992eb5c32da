import Foundation
import XCTest
@testable import AssureApp

/// The schema reader decodes a type from stand-in values and writes down what it was asked for.
final class JSONSchemaReaderTests: XCTestCase {
    enum Colour: String, Codable, CaseIterable { case red, amber, green }

    struct Reading: Decodable, APISchema {
        static let schemaName = "Reading"
        static let fieldNotes: [String: JSON] = ["note": ["maxLength": 200]]
        var id: UUID
        var taken: Date
        var value: Double
        var count: Int
        var rating: Colour
        var note: String?
        var tags: [String]
        var figures: [String: Int]
    }

    struct Wrapper: Decodable { var reading: Reading; var readings: [Reading]? }

    struct NoteForAMissingField: Decodable, APISchema {
        static let schemaName = "Broken"
        static let fieldNotes: [String: JSON] = ["colour": ["maxLength": 20]]
        var color: String
    }

    /// A body read two ways (a number or a label) accepts either.
    struct EitherWay: Decodable {
        var level: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let number = try container.decodeIfPresent(Int.self, forKey: .level) { level = String(number) } else { level = try container.decode(String.self, forKey: .level) }
        }
        enum CodingKeys: String, CodingKey { case level }
    }

    func testFieldsTypesAndWhatMayBeAbsent() throws {
        let reader = JSONSchemaReader()
        XCTAssertEqual(try reader.schema(for: Reading.self), ["$ref": "#/components/schemas/Reading"])
        let schema = try XCTUnwrap(reader.components["Reading"])
        XCTAssertEqual(schema["required"], ["count", "figures", "id", "rating", "tags", "taken", "value"])
        XCTAssertEqual(schema["properties"]?["id"], ["type": "string", "format": "uuid"])
        XCTAssertEqual(schema["properties"]?["taken"], ["type": "string", "format": "date-time"])
        XCTAssertEqual(schema["properties"]?["value"], ["type": "number"])
        XCTAssertEqual(schema["properties"]?["count"], ["type": "integer"])
        XCTAssertEqual(schema["properties"]?["rating"], ["type": "string", "enum": ["red", "amber", "green"]])
        XCTAssertEqual(schema["properties"]?["note"], ["type": ["string", "null"], "maxLength": 200])
        XCTAssertEqual(schema["properties"]?["tags"], ["type": "array", "items": ["type": "string"]])
        XCTAssertEqual(schema["properties"]?["figures"], ["type": "object", "additionalProperties": ["type": "integer"]])
    }

    func testNestedTypesAreReferencedAndOptionalOnesNullable() throws {
        let reader = JSONSchemaReader()
        let schema = try reader.schema(for: Wrapper.self)
        XCTAssertEqual(schema["properties"]?["reading"], ["$ref": "#/components/schemas/Reading"])
        XCTAssertEqual(schema["properties"]?["readings"], ["type": ["array", "null"], "items": ["$ref": "#/components/schemas/Reading"]])
        XCTAssertEqual(schema["required"], ["reading"])
        XCTAssertEqual(try reader.fieldNames(of: Reading.self).count, 8)
    }

    func testANoteForAFieldTheTypeDoesNotReadIsRefused() {
        XCTAssertThrowsError(try JSONSchemaReader().schema(for: NoteForAMissingField.self)) { error in
            XCTAssertTrue(String(describing: error).contains("'colour'"), "\(error)")
        }
    }

    func testAFieldReadTwoWaysAcceptsEither() throws {
        let schema = try JSONSchemaReader().schema(for: EitherWay.self)
        XCTAssertEqual(schema["properties"]?["level"], ["oneOf": [["type": ["integer", "null"]], ["type": "string"]]])
    }
}
