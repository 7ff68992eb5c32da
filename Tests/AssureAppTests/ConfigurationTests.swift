import XCTest
import Vapor
@testable import AssureApp

final class ConfigurationTests: XCTestCase {
    func testDefaults() throws {
        var arguments = ["assure", "serve"]
        let configuration = try AssureConfiguration.load(environment: [:], arguments: &arguments)
        XCTAssertEqual(configuration.dataDirectory, "./data")
        XCTAssertEqual(configuration.database, .sqliteFile(path: "./data/assure.sqlite"))
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertEqual(configuration.port, 8080)
        XCTAssertEqual(configuration.logLevel, .info)
        XCTAssertFalse(configuration.demo)
        XCTAssertEqual(arguments, ["assure", "serve"])
    }

    func testEnvironmentThenFlagsWhichAreRemovedFromTheArguments() throws {
        var arguments = ["assure", "serve", "--demo", "--port=9000", "--data-dir", "/srv/assure", "--hostname", "0.0.0.0"]
        let environment = ["ASSURE_PORT": "8081", "ASSURE_HOST": "::1", "ASSURE_LOG_LEVEL": "DEBUG", "ASSURE_LOG_FORMAT": "json",
                           "DATABASE_URL": "postgres://assure@db.internal:5432/assure?sslmode=require"]
        let configuration = try AssureConfiguration.load(environment: environment, arguments: &arguments)
        XCTAssertTrue(configuration.demo)
        XCTAssertEqual(configuration.port, 9000)
        XCTAssertEqual(configuration.host, "::1")
        XCTAssertEqual(configuration.dataDirectory, "/srv/assure")
        XCTAssertEqual(configuration.logLevel, .debug)
        XCTAssertEqual(configuration.logFormat, .json)
        XCTAssertTrue(configuration.database.isPostgres)
        XCTAssertEqual(arguments, ["assure", "serve", "--hostname", "0.0.0.0"], "Vapor's own flags pass through")
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
            ([:], ["--data-dir"], "--data-dir"),
            (["ASSURE_PUBLIC_URL": "assure.nhs.uk"], [], "ASSURE_PUBLIC_URL"),
            (["ASSURE_TRUSTED_PROXIES": "10.0.0.0/8, proxy.trust.nhs.uk"], [], "ASSURE_TRUSTED_PROXIES"),
        ]
        for (environment, flags, setting) in cases {
            var arguments = ["assure", "serve"] + flags
            XCTAssertThrowsError(try AssureConfiguration.load(environment: environment, arguments: &arguments), "\(environment) \(flags)") { error in
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
