import XCTest
import Vapor
@testable import AssureApp

final class ConfigurationTests: XCTestCase {
    /// The configuration `assure serve FLAGS` would start with, parsed as the command line parses it.
    static func serve(_ flags: [String], environment: [String: String] = [:]) throws -> AssureConfiguration {
        let command = try XCTUnwrap(try AssureCommandLine.parseAsRoot(flags) as? AssureServeCommand, "\(flags) parses as serve")
        return try command.storage.configuration(command.flags, environment: environment)
    }

    func testDefaults() throws {
        let configuration = try Self.serve(["serve"])
        XCTAssertEqual(configuration.dataDirectory, "./data")
        XCTAssertEqual(configuration.database, .sqliteFile(path: "./data/assure.sqlite"))
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertEqual(configuration.port, 8080)
        XCTAssertEqual(configuration.logLevel, .info)
        XCTAssertFalse(configuration.demo)
        XCTAssertEqual(try Self.serve([]), configuration, "serve is the default command")
    }

    func testEnvironmentThenFlags() throws {
        let flags = ["serve", "--demo", "--port=9000", "--data-dir", "/srv/assure"]
        let environment = ["ASSURE_PORT": "8081", "ASSURE_HOST": "::1", "ASSURE_LOG_LEVEL": "DEBUG", "ASSURE_LOG_FORMAT": "json",
                           "DATABASE_URL": "postgres://assure@db.internal:5432/assure?sslmode=require"]
        let configuration = try Self.serve(flags, environment: environment)
        XCTAssertTrue(configuration.demo)
        XCTAssertEqual(configuration.port, 9000)
        XCTAssertEqual(configuration.host, "::1")
        XCTAssertEqual(configuration.dataDirectory, "/srv/assure")
        XCTAssertEqual(configuration.logLevel, .debug)
        XCTAssertEqual(configuration.logFormat, .json)
        XCTAssertTrue(configuration.database.isPostgres)
        for spelling in [["--hostname", "0.0.0.0"], ["--host=0.0.0.0"], ["-H", "0.0.0.0"]] {
            XCTAssertEqual(try Self.serve(["--port", "9000"] + spelling).host, "0.0.0.0", "\(spelling) names the address")
        }
    }

    func testInvalidSettingsAreNamed() {
        let cases: [([String: String], [String], String)] = [
            (["ASSURE_PORT": "eighty"], [], "ASSURE_PORT"),
            (["ASSURE_PORT": "70000"], [], "ASSURE_PORT"),
            ([:], ["--port", "0"], "--port"),
            (["DATABASE_URL": "mysql://x@y/z"], [], "DATABASE_URL"),
            (["DATABASE_URL": "postgres://"], [], "DATABASE_URL"),
            (["DATABASE_URL": "postgres://user@host"], [], "DATABASE_URL"),
            (["ASSURE_LOG_LEVEL": "loud"], [], "ASSURE_LOG_LEVEL"),
            (["ASSURE_LOG_FORMAT": "xml"], [], "ASSURE_LOG_FORMAT"),
            (["ASSURE_DATA_DIR": " "], [], "ASSURE_DATA_DIR"),
            (["ASSURE_PUBLIC_URL": "assure.nhs.uk"], [], "ASSURE_PUBLIC_URL"),
            (["ASSURE_TRUSTED_PROXIES": "10.0.0.0/8, proxy.trust.nhs.uk"], [], "ASSURE_TRUSTED_PROXIES"),
        ]
        for (environment, flags, setting) in cases {
            let given = Dictionary(uniqueKeysWithValues: stride(from: 0, to: flags.count, by: 2).map { (String(flags[$0].dropFirst(2)), flags[$0 + 1]) })
            XCTAssertThrowsError(try AssureConfiguration.load(environment: environment, flags: given), "\(environment) \(flags)") { error in
                XCTAssertEqual((error as? ConfigurationError)?.setting, setting)
            }
        }
    }

    func testAnUnwritableDataDirectoryStopsStartUp() async throws {
        let app = try await Application.make(.testing)
        let file = NSTemporaryDirectory() + "assure-not-a-dir-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configuration = AssureConfiguration(dataDirectory: file, database: .sqliteFile(path: file + "/assure.sqlite"))
        do {
            try await configure(app, configuration)
            XCTFail("should refuse a data directory that is a file")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.setting, "ASSURE_DATA_DIR")
        }
        try await app.asyncShutdown()
    }
}
