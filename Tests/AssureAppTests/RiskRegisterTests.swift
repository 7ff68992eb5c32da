import AssureCore
import Fluent
import SQLKit
import XCTVapor
@testable import AssureApp

/// The risk register through its pages and API, on a real database.
final class RiskRegisterTests: XCTestCase {
    let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    func body(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    func riskFields(owner: String, _ change: (inout [String: String]) -> Void = { _ in }) -> [String: String] {
        var fields = [
            "title": "Unsupported Windows on imaging modalities", "cause": "CT consoles run Windows 7 with no security updates",
            "event": "Ransomware reaches the modality network", "effect": "Imaging unavailable; delayed diagnosis",
            "category": "cyber-security", "owner": owner, "opened": "2026-03-01", "status": "open",
            "initial_likelihood": "4", "initial_consequence": "4", "current_likelihood": "3", "current_consequence": "4",
            "target_likelihood": "1", "target_consequence": "4", "source_reference": "DATIX-10231",
        ]
        change(&fields)
        return fields
    }

    func riskCount(_ app: Application) async throws -> Int { try await Risk.query(on: app.db).count() }

    func testAManagerAddsReviewsAndControlsARisk() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            try await app.send(.POST, "/organisations/T91/risks/new", headers: form, body: body(riskFields(owner: manager.email)), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T91/risks/R-0001")
            }
            try await app.send(.GET, "/organisations/T91/risks/R-0001", as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("12 High"), "current 3×4 = 12, high band")
                XCTAssertTrue(res.text.contains("Above appetite"), "cyber appetite is 6")
            }
            // A review lowers the score; it is kept with who and why, and the next review follows the new band.
            try await app.send(.POST, "/organisations/T91/risks/R-0001/review", headers: form,
                               body: body(["current_likelihood": "2", "current_consequence": "4", "rationale": "Modality network segmented"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            let risk = try await XCTUnwrapAsync(try await Risk.query(on: app.db).first())
            XCTAssertEqual(risk.currentScore, 8)
            XCTAssertEqual(risk.previousScore, 12)
            XCTAssertEqual(risk.nextReview, app.clock.today.adding(days: 91).description, "high band: quarterly")
            let history = try await RiskScoreChange.query(on: app.db).sort(\.$changedAt).all()
            XCTAssertEqual(history.map(\.score), [12, 8])
            XCTAssertEqual(history.last?.rationale, "Modality network segmented")
            try await app.send(.POST, "/organisations/T91/risks/R-0001/review", headers: form,
                               body: body(["current_likelihood": "9", "current_consequence": "4", "rationale": ""]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("href=\"#current_likelihood\""))
                XCTAssertTrue(res.text.contains("href=\"#rationale\""))
            }
            try await app.send(.POST, "/organisations/T91/risks/R-0001/controls", headers: form,
                               body: body(["control": "Modality VLAN with deny-by-default firewall", "effectiveness": "partially-effective"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.POST, "/organisations/T91/risks/R-0001/actions", headers: form,
                               body: body(["action": "Replace consoles", "action_owner": manager.email, "due": "2026-01-01"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "due before the risk was opened")
                XCTAssertTrue(res.text.contains("cannot be before the risk was opened"))
            }
            try await app.send(.POST, "/organisations/T91/risks/R-0001/actions", headers: form,
                               body: body(["action": "Replace consoles", "action_owner": manager.email, "due": "2026-06-30"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.GET, "/organisations/T91/risks", as: .some(manager)) { res async throws in
                XCTAssertTrue(res.text.contains("R-0001"))
                XCTAssertTrue(res.text.contains("Reduced"), "movement since the last review")
                XCTAssertTrue(res.text.contains(">1<") || res.text.contains("<td>1</td>"), "one overdue action")
            }
            let actions = try await auditEntries(app).filter { $0.entityType == "risk" }.map(\.action)
            XCTAssertEqual(actions, ["create", "review", "add-control", "add-action"])
        }
    }

    func testBadRisksAreRefusedFieldByFieldAndNothingIsWritten() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            try await app.send(.POST, "/organisations/T91/risks/new", headers: form, body: body(riskFields(owner: "stranger@elsewhere.example") {
                $0["current_likelihood"] = "7"; $0["category"] = "weather"; $0["opened"] = "2026-02-30"
            }), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                for field in ["current_likelihood", "category", "opened"] { XCTAssertTrue(res.text.contains("href=\"#\(field)\""), field) }
            }
            try await app.send(.POST, "/organisations/T91/risks/new", headers: form, body: body(riskFields(owner: "stranger@elsewhere.example")), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("has no role in"), "an unknown owner")
            }
            try await app.send(.POST, "/api/v1/organisations/T91/risks", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"title": "x", "current_likelihood": [1]}"#), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .badRequest)
            }
            let count = try await riskCount(app)
            XCTAssertEqual(count, 0)
        }
    }

    func testContributorsChangeOnlyTheirOwnRisksAndOtherOrganisationsSeeNothing() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            let contributor = try await TestCredentials.make(role: .contributor, organisation: "T91", on: app, email: "ward.manager@kingsmere.example")
            let elsewhere = try await TestCredentials.make(role: .manager, organisation: "T94", on: app, email: "risk.lead@castledowns.example")
            for owner in [manager.email, contributor.email] {
                try await app.send(.POST, "/api/v1/organisations/T91/risks", headers: jsonHeaders(),
                                   body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: riskFields(owner: owner))), as: .some(manager)) { res async throws in
                    XCTAssertEqual(res.status, .created)
                }
            }
            try await app.send(.GET, "/organisations/T91/risks/R-0001/edit", as: .some(contributor)) { res async throws in XCTAssertEqual(res.status, .forbidden) }
            try await app.send(.GET, "/organisations/T91/risks/R-0002/edit", as: .some(contributor)) { res async throws in XCTAssertEqual(res.status, .ok) }
            try await app.send(.POST, "/api/v1/organisations/T91/risks/R-0002/review", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"current_likelihood": 2, "current_consequence": "Major", "rationale": "Weekly checks"}"#), as: .some(contributor)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(try res.json()["current_score"] as? Int, 8)
            }
            try await app.send(.GET, "/organisations/T91/risks", as: .some(elsewhere)) { res async throws in XCTAssertEqual(res.status, .notFound) }
            try await app.send(.GET, "/api/v1/organisations/T91/risks/R-0001", as: .some(elsewhere)) { res async throws in XCTAssertEqual(res.status, .notFound) }
            try await app.send(.PUT, "/api/v1/organisations/T91/risks/R-0001", headers: jsonHeaders(), body: ByteBuffer(string: "{}"), as: .some(elsewhere)) { res async throws in
                XCTAssertEqual(res.status, .notFound)
            }
            // The ICB's oversight team reads the trust's register; it changes nothing.
            let oversight = try await TestCredentials.make(role: .oversight, organisation: "Q9A", on: app, email: "oversight@icb.example")
            try await app.send(.GET, "/organisations/T91/risks", as: .some(oversight)) { res async throws in XCTAssertEqual(res.status, .ok) }
            try await app.send(.POST, "/organisations/T91/risks/R-0001/review", headers: form, body: body(["rationale": "x"]), as: .some(oversight)) { res async throws in
                XCTAssertEqual(res.status, .forbidden)
            }
        }
    }

    func testFiltersHeatMapAndCSVAgree() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            let register = RiskRegister(try await commandContext("T91", on: app, today: "2026-11-22"))
            for (title, category, l, c) in [("EPR downtime", "operational", "2", "5"), ("Backups never restore-tested", "cyber-security", "4", "4"),
                                            ("Cyber skills shortage", "workforce", "3", "3"), ("Supplier ransomware", "supplier", "3", "4")] {
                var input = RiskDraft.Input()
                for (key, value) in riskFields(owner: manager.email, { $0["title"] = title; $0["category"] = category
                    $0["current_likelihood"] = l; $0["current_consequence"] = c; $0["initial_likelihood"] = "5"; $0["initial_consequence"] = "5" }) { input[key] = value }
                _ = try await register.create(input)
            }
            try await app.send(.GET, "/api/v1/organisations/T91/risks?above_appetite=yes&sort=title", as: .some(manager)) { res async throws in
                let items = try XCTUnwrap(try res.json()["items"] as? [[String: Any]])
                XCTAssertEqual(items.compactMap { $0["title"] as? String }, ["Backups never restore-tested", "EPR downtime", "Supplier ransomware"],
                               "16 > 6 (cyber), 10 > 8 (operational), 12 > 8 (supplier); workforce 9 ≤ 12")
            }
            try await app.send(.GET, "/api/v1/organisations/T91/risks?q=r-0003", as: .some(manager)) { res async throws in
                XCTAssertEqual(try res.json()["total"] as? Int, 1)
            }
            try await app.send(.GET, "/api/v1/organisations/T91/risks?sort=nonsense", as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
            }
            try await app.send(.GET, "/api/v1/organisations/T91/risks/heat-map", as: .some(manager)) { res async throws in
                let cells = try XCTUnwrap(try res.json()["cells"] as? [[String: Any]])
                XCTAssertEqual(cells.count, 25)
                let cell = cells.first { $0["likelihood"] as? Int == 4 && $0["consequence"] as? Int == 4 }
                XCTAssertEqual(cell?["current"] as? Int, 1)
                XCTAssertEqual(cell?["band"] as? String, "extreme")
                XCTAssertEqual(cells.reduce(0) { $0 + ($1["target"] as? Int ?? 0) }, 4)
            }
            try await app.send(.GET, "/organisations/T91/risks/heat-map", as: .some(manager)) { res async throws in
                XCTAssertTrue(res.text.contains("href=\"/organisations/T91/risks?likelihood=4&amp;consequence=4\""))
                XCTAssertTrue(res.text.contains("<caption>Risks now (and at target) by likelihood and consequence</caption>"))
            }
            try await app.send(.GET, "/organisations/T91/risks?likelihood=4&consequence=4", as: .some(manager)) { res async throws in
                XCTAssertTrue(res.text.contains("Backups never restore-tested"))
                XCTAssertFalse(res.text.contains("EPR downtime"))
            }
            try await app.send(.GET, "/organisations/T91/risks.csv?category=supplier", as: .some(manager)) { res async throws in
                let lines = res.text.split(separator: "\n")
                XCTAssertEqual(lines.count, 2)
                XCTAssertTrue(lines[0].hasPrefix("reference,title,cause,event,effect,category,owner"))
                XCTAssertTrue(lines[1].hasPrefix("R-0004,Supplier ransomware"))
            }
        }
    }

    func testSettingsAndOwnMatricesAreCheckedBeforeUse() async throws {
        try await withAssure(demo: true) { app in
            let admin = try await TestCredentials.make(role: .orgAdmin, organisation: "T91", on: app, email: "it.admin@kingsmere.example")
            try await app.send(.PUT, "/api/v1/organisations/T91/risk-settings", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"matrix": "nhs-5x5", "appetite": {"supplier": 30}, "escalation_threshold": 15}"#), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("appetite_supplier"))
            }
            let gap = #"{"key": "trust-4x4", "name": "Trust 4x4", "source": "Trust risk policy", "domains": [],"# +
                #""likelihood": [{"score": 1, "label": "Rare"}, {"score": 2, "label": "Unlikely"}, {"score": 3, "label": "Likely"}, {"score": 4, "label": "Certain"}],"# +
                #""consequence": [{"score": 1, "label": "Low"}, {"score": 2, "label": "Medium"}, {"score": 3, "label": "High"}, {"score": 4, "label": "Severe"}],"# +
                #""bands": [{"key": "low", "label": "Low", "lower": 1, "upper": 4, "colour": "green", "reviewEveryDays": 365},"# +
                #"{"key": "high", "label": "High", "lower": 8, "upper": 16, "colour": "red", "reviewEveryDays": 30}]}"#
            try await app.send(.PUT, "/api/v1/organisations/T91/risk-matrices", headers: jsonHeaders(), body: ByteBuffer(string: gap), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("No band grades the score 6"), res.text)
            }
            let good = gap.replacingOccurrences(of: #""lower": 8"#, with: #""lower": 5"#)
            try await app.send(.PUT, "/api/v1/organisations/T91/risk-matrices", headers: jsonHeaders(), body: ByteBuffer(string: good), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .ok)
            }
            try await app.send(.POST, "/organisations/T91/risk-settings", headers: form,
                               body: body(["matrix": "trust-4x4", "escalation_threshold": "12", "appetite_cyber-security": "4"]), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Trust 4x4"))
            }
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            try await app.send(.POST, "/organisations/T91/risks/new", headers: form, body: body(riskFields(owner: manager.email) {
                $0["initial_likelihood"] = "5"
            }), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "5 is off a 4×4 matrix")
            }
            try await app.send(.POST, "/organisations/T91/risks/new", headers: form, body: body(riskFields(owner: manager.email) {
                $0["current_likelihood"] = "Certain"; $0["current_consequence"] = "Severe"
            }), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            let risk = try await XCTUnwrapAsync(try await Risk.query(on: app.db).first())
            XCTAssertEqual(risk.matrixKey, "trust-4x4")
            XCTAssertEqual(risk.currentScore, 16)

            // Back on the NHS 5×5, the organisation edits its bands and descriptors in the browser.
            try await app.send(.POST, "/organisations/T91/risk-settings", headers: form,
                               body: body(["matrix": "nhs-5x5", "escalation_threshold": "15"]), as: .some(admin)) { res async throws in XCTAssertEqual(res.status, .ok) }
            var fields: [String: String] = ["domain_0_4": "Death of a patient"]
            for (index, band) in RiskMatrix.nhs5x5.bands.enumerated() {
                fields["band_\(index)_label"] = band.label; fields["band_\(index)_lower"] = String(band.lower)
                fields["band_\(index)_upper"] = String(band.upper); fields["band_\(index)_days"] = String(band.reviewEveryDays)
            }
            fields["band_1_upper"] = "5"  // leaves 6 ungraded
            try await app.send(.POST, "/organisations/T91/risk-settings/matrix", headers: form, body: body(fields), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("No band grades the score 6"))
            }
            fields["band_1_upper"] = "6"
            fields["band_3_days"] = "14"
            try await app.send(.POST, "/organisations/T91/risk-settings/matrix", headers: form, body: body(fields), as: .some(admin)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Death of a patient"))
                XCTAssertTrue(res.text.contains("14 days"))
            }
        }
    }

    func testTheAssignedPersonUpdatesTheirAction() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            let contributor = try await TestCredentials.make(role: .contributor, organisation: "T91", on: app, email: "ward.manager@kingsmere.example")
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "board@kingsmere.example")
            try await app.send(.POST, "/organisations/T91/risks/new", headers: form, body: body(riskFields(owner: manager.email)), as: .some(manager))
            try await app.send(.POST, "/organisations/T91/risks/R-0001/actions", headers: form,
                               body: body(["action": "Test restores monthly", "action_owner": contributor.email, "due": "2026-12-31"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            let action = try await XCTUnwrapAsync(try await RiskAction.query(on: app.db).first())
            let id = try action.requireID().uuidString
            try await app.send(.POST, "/organisations/T91/risks/R-0001/action-status", headers: form, body: body(["action_id": id, "status": "in-progress"]),
                               as: .some(viewer)) { res async throws in XCTAssertEqual(res.status, .forbidden) }
            try await app.send(.POST, "/organisations/T91/risks/R-0001/action-status", headers: form, body: body(["action_id": id, "status": "in-progress"]),
                               as: .some(contributor)) { res async throws in XCTAssertEqual(res.status, .seeOther) }
            let updated = try await RiskAction.find(action.id, on: app.db)
            XCTAssertEqual(updated?.status, "in-progress")
        }
    }
}

final class RiskImportTests: XCTestCase {
    /// A Datix-style export: its own column names, mapped to Assure's fields.
    static let datixHeader = "Risk ID,Risk Title,Cause,Event,Effect,Risk Type,Risk Owner,Directorate,Opened Date,Initial L,Initial C,Current L,Current C,Target L,Target C"
    static let mapping = ["map_title": "Risk Title", "map_category": "Risk Type", "map_owner": "Risk Owner", "map_department": "Directorate",
                          "map_opened": "Opened Date", "map_source_reference": "Risk ID", "map_initial_likelihood": "Initial L",
                          "map_initial_consequence": "Initial C", "map_current_likelihood": "Current L", "map_current_consequence": "Current C",
                          "map_target_likelihood": "Target L", "map_target_consequence": "Target C"]

    func query(_ extra: [String: String] = [:]) -> String {
        (Self.mapping.merging(extra) { $1 }).sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
    }

    func testADatixExportImportsWithAMappingOrNotAtAll() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            let good = Self.datixHeader + "\n" + [
                "DX1001,Paper records store damp,Roof leak,Records damaged,Lost history,data-protection,risk.lead@kingsmere.example,Medical records,2025-04-01,3,3,3,2,1,2",
                "DX1002,\"Switchboard single point of failure\",One PABX,PABX fails,No phones,operational,risk.lead@kingsmere.example,Estates,2025-05-01,Possible,Major,2,4,1,4",
            ].joined(separator: "\n")
            let bad = good + "\nDX1003,,x,y,z,weather,stranger@elsewhere.example,IT,2025-13-01,9,3,3,3,1,1"
            var headers: HTTPHeaders = ["Content-Type": "text/csv"]
            headers.bearerAuthorization = BearerAuthorization(token: manager.apiToken)
            try await app.test(.POST, "/api/v1/organisations/T91/risks/import?" + query(), headers: headers, body: ByteBuffer(string: bad)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                let problems = try XCTUnwrap(try res.json()["problems"] as? [[String: Any]])
                let places = Set(problems.map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" })
                XCTAssertEqual(places, ["4:risk title", "4:risk type", "4:opened date", "4:initial l"], "named by line and the file's own column")
            }
            let afterBad = try await Risk.query(on: app.db).count()
            XCTAssertEqual(afterBad, 0, "nothing from a bad file")
            try await app.test(.POST, "/api/v1/organisations/T91/risks/import?map_title=No%20Such%20Column", headers: headers, body: ByteBuffer(string: good)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("The file has no column 'no such column' for title"))
            }
            try await app.test(.POST, "/api/v1/organisations/T91/risks/import?" + query(), headers: headers, body: ByteBuffer(string: good)) { res async throws in
                XCTAssertEqual(res.status, .created)
                XCTAssertEqual(try res.json()["imported"] as? Int, 2)
            }
            let risks = try await Risk.query(on: app.db).sort(\.$number).all()
            XCTAssertEqual(risks.map(\.reference), ["R-0001", "R-0002"])
            XCTAssertEqual(risks.map(\.sourceReference), ["DX1001", "DX1002"])
            XCTAssertEqual(risks[1].initialScore, 12, "labels work too: Possible × Major")
            let imported = try await auditEntries(app).filter { $0.action == "import" }.count
            XCTAssertEqual(imported, 2)
            // The register's own CSV goes back in unchanged (its extra columns are ignored).
            var export = ""
            try await app.send(.GET, "/organisations/T91/risks.csv", as: .some(manager)) { res async throws in export = res.text }
            try await app.test(.POST, "/api/v1/organisations/T91/risks/import", headers: headers, body: ByteBuffer(string: export)) { res async throws in
                XCTAssertEqual(res.status, .created)
                XCTAssertEqual(try res.json()["imported"] as? Int, 2)
            }
        }
    }
}

final class BoardAssuranceFrameworkTests: XCTestCase {
    let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    func encode(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    func addRisk(_ app: Application, in code: String, owner: String, likelihood: Int, consequence: Int, title: String) async throws {
        let organisation = try await OrganisationDirectory(database: app.db).require(code)
        var input = RiskDraft.Input()
        input.title = title; input.cause = "c"; input.event = "e"; input.effect = "f"; input.category = "cyber-security"; input.owner = owner
        input.opened = "2026-01-05"
        input.initial_likelihood = "5"; input.initial_consequence = "5"
        input.current_likelihood = String(likelihood); input.current_consequence = String(consequence)
        input.target_likelihood = "1"; input.target_consequence = "1"
        _ = try await RiskRegister(try await commandContext(organisation.odsCode, on: app, today: "2026-11-22")).create(input)
    }

    func testTheBoardSeesObjectivesPrincipalRisksAssuranceAndGaps() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "company.secretary@kingsmere.example")
            try await addRisk(app, in: "T91", owner: manager.email, likelihood: 4, consequence: 4, title: "Backups never restore-tested")
            try await app.send(.GET, "/organisations/T91/baf", as: .some(manager)) { res async throws in
                XCTAssertTrue(res.text.contains("No strategic objectives yet"))
                XCTAssertTrue(res.text.contains("Backups never restore-tested"), "an escalated risk not yet on the framework")
            }
            try await app.send(.POST, "/organisations/T91/baf", headers: form, body: encode(["title": "", "lead": "nobody@elsewhere.example"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("href=\"#title\""))
                XCTAssertTrue(res.text.contains("has no role in"))
            }
            try await app.send(.POST, "/organisations/T91/baf", headers: form,
                               body: encode(["title": "Resilient, secure digital services", "lead": manager.email, "committee": "Audit and Risk Committee"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T91/baf/SO1")
            }
            try await app.send(.POST, "/organisations/T91/baf/SO1/link", headers: form, body: encode(["risk": "R-0001"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.POST, "/organisations/T91/baf/SO1/link", headers: form, body: encode(["risk": "R-0099"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
            }
            try await app.send(.POST, "/organisations/T91/baf/SO1/sources", headers: form,
                               body: encode(["line": "4", "source": "", "outcome": "maybe", "reported": "2099-01-01"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                for field in ["line", "source", "outcome", "reported"] { XCTAssertTrue(res.text.contains("href=\"#\(field)\""), field) }
            }
            // A misspelt field is refused by name, not ignored.
            try await app.send(.POST, "/api/v1/organisations/T91/baf/objectives/SO1/sources", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"line": "3", "source": "x", "outcome": "negative", "reported": "2026-07-18", "reportd": "2026-07-18"}"#),
                               as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("'reportd' is not a field here"), res.text)
            }
            try await app.send(.POST, "/api/v1/organisations/T91/baf/objectives/SO1/sources", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"line": "3", "source": "Internal audit of backups 2026/07", "outcome": "negative", "reported": "2026-07-18"}"#),
                               as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                let objective = try XCTUnwrap((try res.json()["objectives"] as? [[String: Any]])?.first)
                XCTAssertEqual(objective["suggested_assurance"] as? String, "limited", "negative independent assurance")
                XCTAssertEqual((objective["principal_risks"] as? [[String: Any]])?.first?["reference"] as? String, "R-0001")
            }
            try await app.send(.POST, "/organisations/T91/baf/SO1/rating", headers: form,
                               body: encode(["assurance": "limited", "assurance_rationale": "Backups have never been restored"]), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.GET, "/organisations/T91/baf", as: .some(manager)) { res async throws in
                XCTAssertTrue(res.text.contains("SO1 Resilient, secure digital services"))
                XCTAssertTrue(res.text.contains("Limited assurance"))
                XCTAssertTrue(res.text.contains("3rd line: independent assurance"))
                XCTAssertTrue(res.text.contains("every risk at or above the escalation threshold"), "the escalated risk is now on the framework")
            }
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "board.member@kingsmere.example")
            try await app.send(.GET, "/organisations/T91/baf", as: .some(viewer)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertFalse(res.text.contains("Add a strategic objective"), "board members read it")
            }
            try await app.send(.POST, "/organisations/T91/baf/SO1/rating", headers: form, body: encode(["assurance": "substantial", "assurance_rationale": "x"]),
                               as: .some(viewer)) { res async throws in XCTAssertEqual(res.status, .forbidden) }
            let audited = try await auditEntries(app).filter { $0.entityType == "strategic-objective" }.map(\.action)
            XCTAssertEqual(audited, ["create", "link-risk", "add-assurance", "rate-assurance"])
        }
    }

    func testTheICBSeesItsTrustsEscalatedRisksOnly() async throws {
        try await withAssure(demo: true) { app in
            let kingsmere = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk@kingsmere.example")
            let castle = try await TestCredentials.make(role: .manager, organisation: "T94", on: app, email: "risk@castledowns.example")
            try await addRisk(app, in: "T91", owner: kingsmere.email, likelihood: 4, consequence: 5, title: "Kingsmere EPR outage")
            try await addRisk(app, in: "T91", owner: kingsmere.email, likelihood: 2, consequence: 2, title: "Kingsmere minor risk")
            try await addRisk(app, in: "T94", owner: castle.email, likelihood: 5, consequence: 5, title: "Castle Downs ransomware")
            let oversight = try await TestCredentials.make(role: .oversight, organisation: "Q9A", on: app, email: "oversight@q9a.example")
            try await app.send(.GET, "/organisations/Q9A/escalated-risks", as: .some(oversight)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Kingsmere EPR outage"))
                XCTAssertFalse(res.text.contains("Kingsmere minor risk"), "below the threshold")
                XCTAssertFalse(res.text.contains("Castle Downs ransomware"), "another ICB's trust")
            }
            try await app.send(.GET, "/organisations/Y99/escalated-risks") { res async throws in
                XCTAssertTrue(res.text.contains("Castle Downs ransomware") && res.text.contains("Kingsmere EPR outage"), "the region sees both")
            }
            try await app.send(.GET, "/organisations/Q9A/escalated-risks", as: .some(castle)) { res async throws in
                XCTAssertEqual(res.status, .notFound)
            }
        }
    }
}

final class RiskAPIChangesTests: XCTestCase {
    func testControlsActionsAndDepartmentsThroughTheAPI() async throws {
        try await withAssure(demo: true) { app in
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "risk.lead@kingsmere.example")
            for department in ["Radiology", "Pharmacy"] {
                let fields: [String: Any] = ["title": "\(department) risk", "cause": "c", "event": "e", "effect": "f", "category": "operational",
                                             "owner": manager.email, "department": department, "opened": "2026-02-01",
                                             "initial_likelihood": 3, "initial_consequence": 3, "current_likelihood": 2, "current_consequence": 3,
                                             "target_likelihood": 1, "target_consequence": 3]
                try await app.send(.POST, "/api/v1/organisations/T91/risks", headers: jsonHeaders(),
                                   body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: fields)), as: .some(manager)) { res async throws in
                    XCTAssertEqual(res.status, .created)
                }
            }
            try await app.send(.GET, "/api/v1/organisations/T91/risks?department=Pharmacy", as: .some(manager)) { res async throws in
                XCTAssertEqual(((try res.json()["items"]) as? [[String: Any]])?.compactMap { $0["title"] as? String }, ["Pharmacy risk"])
            }
            try await app.send(.POST, "/api/v1/organisations/T91/risks/R-0001/controls", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"control": "Second reader for all CT reports", "effectiveness": "sometimes"}"#), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("\"effectiveness\""))
            }
            try await app.send(.POST, "/api/v1/organisations/T91/risks/R-0001/controls", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"control": "Second reader for all CT reports", "effectiveness": "effective"}"#), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual((try res.json()["controls"] as? [[String: Any]])?.count, 1)
            }
            var actionID = ""
            try await app.send(.POST, "/api/v1/organisations/T91/risks/R-0001/actions", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"action": "Business case for a second CT", "action_owner": "risk.lead@kingsmere.example", "due": "2027-03-31"}"#),
                               as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                actionID = ((try res.json()["actions"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            }
            // The body is typed: an action that is not a UUID, or a field the API does not know, is refused by name.
            try await app.send(.POST, "/api/v1/organisations/T91/risks/R-0001/action-status", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"action_id": 7, "status": "complete"}"#), as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .badRequest)
                XCTAssertTrue(res.text.contains("action_id"), res.text)
            }
            try await app.send(.POST, "/api/v1/organisations/T91/risks/R-0001/actions", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"action": "x", "action_owner": "risk.lead@kingsmere.example", "due": "2027-03-31", "owner": "x"}"#),
                               as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("'owner' is not a field here"), res.text)
            }
            try await app.send(.POST, "/api/v1/organisations/T91/risks/R-0001/action-status", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"action_id": "\#(actionID)", "status": "complete"}"#), as: .some(manager)) { res async throws in
                XCTAssertEqual((try res.json()["actions"] as? [[String: Any]])?.first?["status"] as? String, "complete")
            }
        }
    }
}
