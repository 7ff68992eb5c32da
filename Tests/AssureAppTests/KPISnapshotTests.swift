@testable import AssureApp
import AssureCore
import Fluent
import SQLKit
import Vapor
import XCTest
import XCTVapor

final class KPISnapshotTests: XCTestCase {
    /// The snapshot's figures are the ones the register, the estate and the alerts board show.
    func testSnapshotAgreesWithTheRegisterEstateAndAlerts() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            _ = try await DemoEstate.seed(on: app, devices: 300, organisations: 2, seed: 3)
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            let t91 = try await OrganisationDirectory(database: app.db).require("T91")
            let now = Date()
            try await sql.insert(into: "cyber_alerts").columns("id", "reference", "title", "issued_at", "cves", "required_action", "created_by")
                .values(SQLBind(UUID()), SQLBind("CC-KPI-1"), SQLBind("Test alert"), SQLBind(now.addingTimeInterval(-4 * 86_400)), SQLBind("CVE-2019-0708"),
                        SQLBind("Patch"), SQLBind("test")).run()
            let run = try await KPISchedule.snapshotAll(on: app, day: CalendarDay.inEngland(now), now: now)
            let organisations = try await rowCount("organisations", app)
            XCTAssertEqual(run.organisations, organisations)
            do { let value = try await rowCount("kpi_snapshots", app); XCTAssertEqual(value, organisations, "one row per organisation") }
            let latest = try await KPIHistory.trend(of: t91.id, days: 1, on: sql)
            let figures = try XCTUnwrap(latest.last?.values)

            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "kpi.viewer@assure.test")
            func total(_ query: String) async throws -> Double {
                var found = -1
                try await app.send(.GET, "/api/v1/organisations/T91/risks?\(query)", as: .some(viewer)) { res async throws in
                    XCTAssertEqual(res.status, .ok)
                    found = try res.content.get(Int.self, at: "total")
                }
                return Double(found)
            }
            do { let value = try await total("above_appetite=yes"); XCTAssertEqual(figures[.risksAboveAppetite], value) }
            do { let value = try await total("review_overdue=yes"); XCTAssertEqual(figures[.overdueRiskReviews], value) }
            XCTAssertGreaterThan(figures[.risksAboveAppetite] ?? 0, 0, "the demo trust has risks above appetite")
            let estates = try await EstateSnapshots.latest(of: [t91.id], on: sql)
            let estate = try XCTUnwrap(estates[t91.id])
            XCTAssertEqual(figures[.patchCompliance], Double(estate.patchCompliancePercent))
            XCTAssertEqual(figures[.knownExploitedDevices], Double(estate.knownExploited))
            XCTAssertEqual(figures[.unsupportedDevices], Double(estate.unsupportedOS))
            let alerts = try await CyberAlerts.alerts(for: t91.id, now: now, on: sql)
            XCTAssertEqual(figures[.overdueCyberAlerts], Double(alerts.filter { $0.acknowledgement_overdue || $0.update_overdue }.count))
            XCTAssertEqual(figures[.overdueCyberAlerts], 1, "the alert was issued four days ago and nobody has acknowledged it")
            XCTAssertNotNil(figures[.dsptPosition], "the demo trust has a DSPT assessment")

            // An organisation without an estate or assessments has no figure for them, not a zero.
            let found = try await sql.raw("SELECT id FROM organisations WHERE ods_code NOT IN ('T91', 'T92') AND id NOT IN (SELECT organisation_id FROM estate_snapshots) AND id NOT IN (SELECT organisation_id FROM assessments) LIMIT 1").first()?.decode(column: "id", as: UUID.self)
            let practice = try XCTUnwrap(found)
            let others = try await KPIHistory.trend(of: practice, days: 1, on: sql)
            let other = try XCTUnwrap(others.last?.values)
            XCTAssertNil(other[.patchCompliance])
            XCTAssertNil(other[.dsptPosition])
            XCTAssertEqual(other[.risksAboveAppetite], 0)

            // Taken again the same day, the day's row is replaced, not added to.
            _ = try await KPISchedule.snapshotAll(on: app, organisations: [t91.id], day: CalendarDay.inEngland(now), now: now)
            do { let value = try await rowCount("kpi_snapshots", app); XCTAssertEqual(value, organisations) }
        }
    }

    /// Several instances check at once: exactly one takes the day's snapshot.
    func testOnlyOneInstanceTakesTheDaysSnapshot() async throws {
        try await withAssure(demo: true) { app in
            let now = Date()
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { try await KPISchedule.claim(CalendarDay.inEngland(now).description, on: app.db, now: now) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            XCTAssertEqual(claims.filter { $0 }.count, 1, "\(claims)")
            // A run that died is taken over once it is an hour old; a finished one never is.
            let later = now.addingTimeInterval(KPISchedule.staleAfter + 1)
            let retaken = try await KPISchedule.claim(CalendarDay.inEngland(now).description, on: app.db, now: later)
            XCTAssertTrue(retaken)
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            try await sql.update("kpi_runs").set("status", to: "done").run()
            let again = try await KPISchedule.claim(CalendarDay.inEngland(now).description, on: app.db, now: later.addingTimeInterval(7200))
            XCTAssertFalse(again)
            // And the whole scheduled run: nothing to do once today's is done.
            try await sql.raw("DELETE FROM kpi_runs").run()
            let first = try await KPISchedule.runIfDue(on: app, now: now)
            XCTAssertNotNil(first)
            let second = try await KPISchedule.runIfDue(on: app, now: now)
            XCTAssertNil(second)
        }
    }
}

private func rowCount(_ table: String, _ app: Application) async throws -> Int {
    try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
}
