@testable import AssureApp
import AssureCore
import Fluent
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// The dashboard, oversight roll-ups and board pack: figures that agree with the registers, who may
/// see what, and bad input answered with a 4xx that names the field.
final class PerformancePagesTests: XCTestCase {
    func testDashboardShowsLiveIndicatorsTopRisksGapsAndWhatFallsDue() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "board.viewer@assure.test")
            var aboveAppetite = -1
            try await app.send(.GET, "/api/v1/organisations/T91/risks?above_appetite=yes", as: .some(viewer)) { res async throws in
                aboveAppetite = try res.content.get(Int.self, at: "total")
            }
            try await app.send(.GET, "/organisations/T91", as: .some(viewer)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                for heading in ["Key indicators", "Top risks", "Heat map", "Compliance gaps", "Estate exposure", "Due in the next 30 days"] {
                    XCTAssertTrue(res.text.contains(heading), "dashboard shows \(heading)")
                }
                XCTAssertTrue(res.text.contains("/organisations/T91/risks?above_appetite=yes"), "the tile links to the register filtered to it")
                XCTAssertTrue(res.text.contains("R-0001"), "top risks are listed")
                XCTAssertTrue(res.text.contains("/organisations/T91/board-pack"))
                XCTAssertFalse(res.text.contains("Oversight of organisations below"), "a trust has nothing below it")
            }
            // The JSON gives the same live figure as the register's filter.
            try await app.send(.GET, "/api/v1/organisations/T91/indicators", as: .some(viewer)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                let figures = try res.content.get([PerformanceAPI.Figure].self, at: "indicators")
                XCTAssertEqual(figures.count, KeyIndicator.allCases.count)
                XCTAssertEqual(figures.first { $0.indicator == "risks-above-appetite" }?.value, Double(aboveAppetite))
                XCTAssertEqual(figures.first { $0.indicator == "risks-above-appetite" }?.rating, KeyIndicator.risksAboveAppetite.rating(Double(aboveAppetite)).rawValue)
            }
            try await app.send(.GET, "/api/v1/organisations/T91/indicators?days=0", as: .some(viewer)) { res async in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("days"))
            }
            // Another trust's dashboard and figures are not there for this board member.
            for path in ["/organisations/T92", "/api/v1/organisations/T92/indicators", "/organisations/T92/board-pack"] {
                try await app.send(.GET, path, as: .some(viewer)) { res async in XCTAssertEqual(res.status, .notFound, path) }
            }
        }
    }

    func testOversightRanksEveryOrganisationBelowAndOnlyForOversight() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let now = Date()
            _ = try await KPISchedule.snapshotAll(on: app, day: CalendarDay.inEngland(now), now: now)
            let oversight = try await TestCredentials.make(role: .oversight, organisation: "Q9A", on: app, email: "icb.oversight@assure.test")
            let below = try await OrganisationDirectory(database: app.db).descendants(of: "Q9A").count
            try await app.send(.GET, "/organisations/Q9A/oversight?indicator=risks-above-appetite", as: .some(oversight)) { res async in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("1–\(below) of \(below), worst first"), "every organisation below the ICB is ranked")
                XCTAssertTrue(res.text.contains("Kingsmere University Hospitals"))
                XCTAssertFalse(res.text.contains("Castle Downs Hospitals"), "T94 sits under the other ICB")
            }
            try await app.send(.GET, "/organisations/Q9A/oversight.csv", as: .some(oversight)) { res async in
                XCTAssertEqual(res.status, .ok)
                let lines = res.text.split(separator: "\n")
                XCTAssertEqual(lines.count, below + 1, "a header and one row per organisation")
                XCTAssertTrue(lines[0].hasPrefix("ods_code,name,type,parent_ods_code,snapshot_day,risks-above-appetite,risks-above-appetite_rating"))
            }
            try await app.send(.GET, "/api/v1/organisations/Q9A/oversight?indicator=dspt-position&type=foundation-trust", as: .some(oversight)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.content.get(Int.self, at: "organisations"), below)
                let members = try res.content.get([PerformanceAPI.Member].self, at: "members")
                XCTAssertTrue(members.allSatisfy { $0.type == "foundation-trust" })
                XCTAssertEqual(members.first?.ods_code, "T91", "worst first: the demo trust's DSPT is the least complete")
            }
            // Bad filters are a 400 that names the field; nothing about the data is shown.
            for (query, field) in [("indicator=nonsense", "indicator"), ("type=hospital", "type"), ("rating=purple", "rating"), ("page=0", "page")] {
                try await app.send(.GET, "/api/v1/organisations/Q9A/oversight?\(query)", as: .some(oversight)) { res async in
                    XCTAssertEqual(res.status, .unprocessableEntity, query)
                    XCTAssertTrue(res.text.contains(field), query)
                }
            }
            // The other ICB's oversight is not visible; a trust's board member has no roll-up.
            try await app.send(.GET, "/organisations/Q9B/oversight", as: .some(oversight)) { res async in XCTAssertEqual(res.status, .notFound) }
            try await app.send(.GET, "/organisations/Q9B/oversight.csv", as: .some(oversight)) { res async in XCTAssertEqual(res.status, .notFound) }
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "trust.viewer@assure.test")
            try await app.send(.GET, "/organisations/T91/oversight", as: .some(viewer)) { res async in XCTAssertEqual(res.status, .forbidden) }
            try await app.send(.GET, "/api/v1/organisations/Q9A/oversight", as: .some(viewer)) { res async in XCTAssertEqual(res.status, .notFound) }
            // Drill-down: the ICB's oversight team reads a trust's dashboard but changes nothing.
            try await app.send(.GET, "/organisations/T91", as: .some(oversight)) { res async in
                XCTAssertEqual(res.status, .ok)
                XCTAssertFalse(res.text.contains("Edit details"))
            }
            try await app.send(.POST, "/api/v1/organisations/T91/risks", headers: jsonHeaders(), body: ByteBuffer(string: "{}"), as: .some(oversight)) { res async in
                XCTAssertEqual(res.status, .forbidden)
            }
            // National oversight needs the role in every region; the ICB's team has it in none.
            try await app.send(.GET, "/oversight", as: .some(oversight)) { res async in XCTAssertEqual(res.status, .forbidden) }
            try await app.send(.GET, "/organisations", as: .some(oversight)) { res async in
                XCTAssertFalse(res.text.contains("National oversight"), "no link to a page the ICB's team may not open")
            }
            try await app.send(.GET, "/api/v1/oversight", as: .some(oversight)) { res async in XCTAssertEqual(res.status, .forbidden) }
            let national = try await TestCredentials.make(role: .oversight, organisation: "Y99", on: app, email: "national.oversight@assure.test")
            let all = try await organisationCount(app)
            try await app.send(.GET, "/api/v1/oversight", as: .some(national)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.content.get(Int.self, at: "organisations"), all)
            }
            try await app.send(.GET, "/organisations", as: .some(national)) { res async in XCTAssertTrue(res.text.contains("National oversight")) }
            try await app.send(.GET, "/oversight.csv", as: .some(national)) { res async in
                XCTAssertEqual(res.text.split(separator: "\n").count, all + 1)
            }
            // The daily summaries give each population's trend.
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            let trend = try await OversightQuery.trend(of: "Q9A", on: sql)
            XCTAssertEqual(trend.count, 1)
            XCTAssertEqual(trend.first?.figures.organisations, below)
        }
    }

    func testBoardPackCoversThePeriodAndRejectsABadOne() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let now = Date()
            _ = try await KPISchedule.snapshotAll(on: app, day: CalendarDay.inEngland(now), now: now)
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "pack.viewer@assure.test")
            let today = CalendarDay.inEngland(now)
            try await app.send(.GET, "/organisations/T91/board-pack?from=\(today.adding(days: -30))&to=\(today)", as: .some(viewer)) { res async in
                XCTAssertEqual(res.status, .ok)
                for section in ["Board pack", "1 Summary", "2 Board Assurance Framework", "3 Risk heat map", "4 Risk movement", "5 DSPT and CAF position",
                                "6 Cyber posture", "7 Exceptions", "Appendix: data sources and definitions", "Key indicator snapshots"] {
                    XCTAssertTrue(res.text.contains(section), section)
                }
                XCTAssertTrue(res.text.contains("\(today.adding(days: -30).nhsStyle) to \(today.nhsStyle)"), "the period in NHS style")
                XCTAssertTrue(res.text.contains("R-0001 Unsupported Windows on imaging modalities"), "the demo's risks opened in the period are in the movement")
                // Exceptions name owners and categories as a board reads them, not by email and slug.
                let exceptions = String(res.text.split(separator: "<h3>Risks above appetite</h3>").last?.split(separator: "<h3>DSPT mandatory items not met").first ?? "")
                XCTAssertTrue(exceptions.contains("owner Aisha Khan"), exceptions)
                XCTAssertFalse(exceptions.contains("@avalon.example") || exceptions.contains("cyber-security"), exceptions)
            }
            let bad = [("from=2026-10-01&to=2026-09-01", "before it starts"), ("from=yesterday", "from must be a date"),
                       ("to=\(today.adding(days: 3))", "cannot end after today"), ("from=2020-01-01&to=\(today)", "at most three years")]
            for (query, message) in bad {
                try await app.send(.GET, "/organisations/T91/board-pack?\(query)", as: .some(viewer)) { res async in
                    XCTAssertEqual(res.status, .unprocessableEntity, query)
                    XCTAssertTrue(res.text.contains(message), "\(query): \(res.text.prefix(300))")
                }
            }
            try await app.send(.GET, "/organisations/ZZZ99/board-pack", as: .some(viewer)) { res async in XCTAssertEqual(res.status, .notFound) }
        }
    }

    /// The PDF command fails clearly without Chromium and leaves no file; with it, the file is a PDF.
    func testBoardPackCommandWritesWholeFilesOnly() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assure-pack-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            XCTAssertThrowsError(try HeadlessChromium.locate(environment: ["PATH": folder.path])) { error in
                XCTAssertTrue("\(error)".contains("PDF needs Chromium"))
                XCTAssertTrue("\(error)".contains("--out FILE.html"))
            }
            XCTAssertThrowsError(try HeadlessChromium.locate(environment: ["ASSURE_CHROMIUM": "/nonexistent/chromium"])) { error in
                XCTAssertTrue("\(error)".contains("ASSURE_CHROMIUM"))
            }
            // A "Chromium" that fails leaves nothing behind, not even an empty file.
            let fake = folder.appendingPathComponent("chromium")
            try "#!/bin/sh\necho 'crashed while printing' >&2\nexit 3\n".write(to: fake, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
            let out = folder.appendingPathComponent("pack.pdf").path
            do {
                try await HeadlessChromium(executable: fake.path).printToPDF(html: "<p>x</p>", to: out)
                XCTFail("a failing Chromium is reported")
            } catch {
                XCTAssertTrue("\(error)".contains("exit 3"))
                XCTAssertTrue("\(error)".contains("crashed while printing"))
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), ["chromium"], "no partial file")
            // A real Chromium, where installed, prints a PDF.
            if let chromium = try? HeadlessChromium.locate() {
                let context = try await commandContext("T91", on: app)
                let period = try XCTUnwrap(ReportingPeriod.read(from: nil, to: nil, today: context.today).period)
                let pack = try await BoardPack.load(context, period: period, frameworks: app.frameworks)
                try await chromium.printToPDF(html: BoardPackDocument.render(pack, stylesheet: .embedded), to: out)
                let data = try XCTUnwrap(FileManager.default.contents(atPath: out))
                XCTAssertTrue(data.starts(with: Array("%PDF-".utf8)))
                XCTAssertGreaterThan(data.count, 20_000)
            }
        }
    }

    /// The pack is printed from a page on 127.0.0.1 that may load nothing, never from a file, so a
    /// name holding `<iframe src="file:///…">` cannot pull a local file into the PDF.
    func testTheBoardPackIsPrintedFromALoopbackPageThatMayLoadNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assure-print-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A stand-in for Chromium that records what it was asked to load and what it was served.
        let fake = folder.appendingPathComponent("chromium")
        try """
            #!/usr/bin/env python3
            import sys, urllib.request
            url = sys.argv[-1]
            pdf = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf=")][0]
            with urllib.request.urlopen(url) as response:
                open("\(folder.path)/seen", "w").write(url + "\\n" + response.headers["Content-Security-Policy"] + "\\n" + " ".join(sys.argv[1:]) + "\\n" + response.read().decode())
            open(pdf, "wb").write(b"%PDF-1.4 stand-in")
            """.write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let out = folder.appendingPathComponent("pack.pdf").path
        let hostile = #"Trust "><iframe src="file:///etc/passwd"></iframe>"#
        try await HeadlessChromium(executable: fake.path).printToPDF(html: "<h1>\(HTMLEscaping.text(hostile))</h1>", to: out)
        let seen = try String(contentsOfFile: folder.appendingPathComponent("seen").path, encoding: .utf8).split(separator: "\n", maxSplits: 3).map(String.init)
        XCTAssertTrue(seen[0].hasPrefix("http://127.0.0.1:"), seen[0])
        XCTAssertFalse(seen[2].contains("file://"))
        XCTAssertEqual(seen[1], HeadlessChromium.contentSecurityPolicy)
        XCTAssertTrue(seen[1].contains("default-src 'none'"))
        XCTAssertEqual(seen[2].contains("--no-sandbox"), getuid() == 0, "the sandbox stays on unless Chromium runs as root")
        XCTAssertFalse(ParsedPage(seen[3]).elements.contains { $0.name == "iframe" })
        XCTAssertTrue(FileManager.default.contents(atPath: out)?.starts(with: Array("%PDF-".utf8)) ?? false)
    }
}
