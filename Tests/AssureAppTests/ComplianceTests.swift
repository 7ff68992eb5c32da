import AssureCore
import Fluent
import XCTVapor
@testable import AssureApp

/// Mappings, copy forward, automated checks, imported catalogues, OSCAL, reports and the ICB's
/// positions table, each against a real database.
final class ComplianceTests: XCTestCase {
    func testTheShippedMappingsLoadAndJoinRealItems() throws {
        XCTAssertEqual(ShippedMappings.files.count, ShippedMappings.all.count, "every shipped mapping loads")
        let upgrade = try XCTUnwrap(FrameworkLibrary.shipped.mapping(between: "ncsc-caf@4.0", and: "ncsc-caf@3.2"))
        XCTAssertTrue(upgrade.entries.contains(FrameworkMapping.Entry(from: "A2.b", to: "A2.c", relationship: .equal,
                                                                      note: "Assurance moved from A2.b to A2.c in 4.0; the outcome is unchanged")))
        XCTAssertEqual(upgrade.entries.filter { $0.from == "C2.b" }.map(\.relationship), [.subset])
        let related = FrameworkLibrary.shipped.related(to: "B4.d", in: "ncsc-caf@3.2").map { "\($0.catalogue) \($0.item) \($0.relationship.rawValue)" }
        XCTAssertTrue(related.contains("cyber-essentials@2025 CE3.14d superset"))
        XCTAssertTrue(related.contains("dspt-caf@2024-25 B4.d equal"), "seen from the target side")
        XCTAssertTrue(FrameworkLibrary.shipped.find("dcb0160")?.items.contains { $0.id == "2.5.1" && $0.mandatory } ?? false)
    }

    func testABadMappingNamesTheLineAndField() {
        let text = """
            id: trust-map
            title: Trust map
            source: ncsc-caf@3.2
            target: cyber-essentials@2025
            reviewed: today
            entries:
              - {from: B4.d, to: CE3, relationship: superset, note: patching is part of it}
              - {from: Z1.a, to: CE9, relationship: equal}
              - {from: B2.a, to: CE4, relationship: intersects}
              - {from: B2.c, to: CE4, relationship: overlaps}
            """
        XCTAssertThrowsError(try MappingLoader.load(text, file: "map.yaml", catalogues: { FrameworkLibrary.shipped.find($0) })) { error in
            let problems = (error as? RuleViolations<CatalogueError>)?.problems.map(\.description) ?? []
            XCTAssertEqual(problems, ["map.yaml:10: entries[3].relationship: 'overlaps' is not one of equal, subset, superset, intersects"])
        }
        let fixed = text.replacingOccurrences(of: "overlaps", with: "intersects")
        XCTAssertThrowsError(try MappingLoader.load(fixed, file: "map.yaml", catalogues: { FrameworkLibrary.shipped.find($0) })) { error in
            let problems = (error as? RuleViolations<CatalogueError>)?.problems.map(\.description) ?? []
            XCTAssertEqual(problems, ["map.yaml:8: entries[1].from: 'Z1.a' is not an item of ncsc-caf@3.2",
                                      "map.yaml:8: entries[1].to: 'CE9' is not an item of cyber-essentials@2025",
                                      "map.yaml:9: entries[2].note: say why B2.a is 'intersects' CE4",
                                      "map.yaml:10: entries[3].note: say why B2.c is 'intersects' CE4"])
        }
    }

    func testCopyForwardCarriesResultsThroughTheVersionMappingButNotApprovals() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            try await app.send(.PUT, "/api/v1/organisations/T91/assessments/A3/items/A2.b", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"level":"achieved","rationale":"Internal audit plan covers cyber","status":"ready-for-review"}"#), as: .some(lead))
            try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"title":"Internal audit plan","url":"https://intranet.example.nhs.uk/audit"}"#), as: .some(lead))
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A3/items/A2.b/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"evidence":"E1"}"#), as: .some(lead))
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A3/copy", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"framework":"dtac@1.0","period":"2026-27","final_due":"2027-06-30"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("no mapping from ncsc-caf@3.2 to dtac@1.0"))
            }
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A3/copy", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"framework":"ncsc-caf@4.0","period":"2026-27","final_due":"2027-06-30"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .created)
                XCTAssertEqual(try res.json()["carried"] as? Int, 5, "A1.a, B2.a, B4.b, B4.d, and A2.b as A2.c")
            }
            let copied = try await XCTUnwrapAsync(try await Assessment.query(on: app.db).filter(\.$frameworkVersion == "4.0").first())
            let results = try await AssessmentResult.query(on: app.db).filter(\.$assessment.$id == copied.requireID()).all()
            XCTAssertEqual(Set(results.map(\.itemID)), ["A1.a", "A2.c", "B2.a", "B4.b", "B4.d"])
            XCTAssertTrue(results.allSatisfy { $0.itemStatus == .inProgress && $0.reviewerEmail == nil }, "approvals never carry")
            XCTAssertEqual(results.first { $0.itemID == "A2.c" }?.level, "achieved")
            let links = try await EvidenceAttachment.query(on: app.db).filter(\.$assessment.$id == copied.requireID()).all().map(\.itemID)
            XCTAssertEqual(links, ["A2.c"], "evidence follows the result")
            XCTAssertEqual(copied.targets.count, 34, "the 3.2 baseline targets carry only where the outcome is equal: 32 unchanged, A2.b as A2.c, D2.a renamed")
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A3/copy", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"period":"2026-27","final_due":"2027-06-30"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .created, "the same version into the next period")
                XCTAssertEqual(try res.json()["carried"] as? Int, 5)
            }
        }
    }

    func testAutomatedRiskReviewCheckAttachesItsFigureAndLeavesApprovedResults() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            let today = app.clock.today
            let live = try await Risk.query(on: app.db).filter(\.$status ~~ ["open", "tolerated"]).all()
            let overdue = live.filter { (CalendarDay($0.nextReview) ?? today) < today }.count
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A1/checks", as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                let ran = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]])
                XCTAssertEqual(ran.count, 1)
                XCTAssertEqual(ran.first?["item"] as? String, "A2.a")
                XCTAssertEqual(ran.first?["figure"] as? String,
                               RiskReviewRule.grade(live: live.count, overdue: overdue, allowed: ["not-achieved", "partially-achieved", "achieved"], on: today).figure)
                XCTAssertEqual(ran.first?["recorded"] as? Bool, true)
            }
            let system = try await XCTUnwrapAsync(try await Evidence.query(on: app.db).filter(\.$kind == "system").first())
            XCTAssertEqual(system.checkID, "risk-review-compliance")
            XCTAssertTrue(system.details.contains("\(live.count) live risks"))
            // A person's approved result stands; the new figure is attached beside it.
            let siro = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "siro@kingsmere.example")
            try await app.send(.PUT, "/api/v1/organisations/T91/assessments/A1/items/A2.a", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"level":"achieved","rationale":"Committee reviewed the register in full","status":"ready-for-review"}"#), as: .some(siro))
            let approver = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "cio@kingsmere.example")
            try await app.send(.PUT, "/api/v1/organisations/T91/assessments/A1/items/A2.a", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"status":"approved"}"#), as: .some(approver)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.text)
            }
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A1/checks", as: .some(lead)) { res async throws in
                XCTAssertEqual(try XCTUnwrap(JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]).first?["recorded"] as? Bool, false)
            }
            let result = try await AssessmentResult.query(on: app.db).filter(\.$itemID == "A2.a").sort(\.$updatedAt, .descending).first()
            XCTAssertEqual(result?.level, "achieved")
            XCTAssertEqual(result?.itemStatus, .approved)
            let viewer = try await TestCredentials.make(role: .viewer, organisation: "T91", on: app, email: "board@kingsmere.example")
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A1/checks", as: .some(viewer)) { res async throws in
                XCTAssertEqual(res.status, .forbidden)
            }
        }
    }

    func testAnImportedCatalogueIsOfferedAndADuplicateOrBadFileIsRefused() async throws {
        try await withAssure { app in
            let text = """
                id: trust-cyber-checklist
                version: "2026"
                title: Trust cyber checklist
                publisher: Kingsmere IT
                licence: Internal
                levels:
                  - {id: no, label: "No"}
                  - {id: yes, label: "Yes"}
                groups:
                  - id: G
                    title: Basics
                    items:
                      - {id: MFA, title: MFA on remote access, levels: ["no", "yes"], mandatory: true}
                """
            let summary = try await FrameworkImport.run(text: text, fileName: "checklist.yaml", by: "command:test", on: app)
            XCTAssertEqual(summary, "catalogue trust-cyber-checklist@2026: Trust cyber checklist, 1 items")
            XCTAssertNotNil(app.frameworks.find("trust-cyber-checklist"))
            do {
                _ = try await FrameworkImport.run(text: text, fileName: "checklist.yaml", by: "command:test", on: app)
                XCTFail("a second import of the same version is refused")
            } catch let failure as CommandFailure {
                XCTAssertTrue(failure.message.contains("trust-cyber-checklist@2026 is already in the library"))
            }
            do {
                _ = try await FrameworkImport.run(text: "id: x\nversion: [", fileName: "broken.yaml", by: "command:test", on: app)
                XCTFail("bad YAML is refused")
            } catch let violations as RuleViolations<CatalogueError> {
                XCTAssertEqual(violations.problems.first?.file, "broken.yaml")
                XCTAssertEqual(violations.problems.first?.field, "file")
            }
            let count = try await ImportedFramework.query(on: app.db).count()
            XCTAssertEqual(count, 1)
            // Another instance on the same database sees it after reading the library again.
            app.storage[TestCredentialsKey.self] = try await TestCredentials.make(role: .systemAdmin, organisation: nil, on: app, email: "other@assure.test")
            try await app.reloadFrameworks()
            try await app.send(.GET, "/api/v1/frameworks/trust-cyber-checklist@2026") { res async throws in
                XCTAssertEqual(res.status, .ok)
            }
        }
    }

    func testAnImportedChecklistGradesResultsFromTheIndicatorsTicked() async throws {
        try await withAssure(demo: true) { app in
            let text = """
                id: trust-caf-igp
                version: "1"
                title: CAF with indicators
                publisher: Kingsmere IT
                licence: Internal
                levels:
                  - {id: not-achieved, label: Not achieved}
                  - {id: partially-achieved, label: Partially achieved}
                  - {id: achieved, label: Achieved}
                groups:
                  - id: B
                    title: Protecting
                    items:
                      - id: B2.a
                        title: Identity and access
                        levels: [not-achieved, partially-achieved, achieved]
                        indicators:
                          - {id: B2.a-NA1, level: not-achieved, title: Shared accounts in use}
                          - {id: B2.a-PA1, level: partially-achieved, title: MFA on remote access}
                          - {id: B2.a-A1, level: achieved, title: MFA on every account}
                """
            _ = try await FrameworkImport.run(text: text, fileName: "igp.yaml", by: "command:test", on: app)
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            try await app.send(.POST, "/api/v1/organisations/T91/assessments", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"framework":"trust-caf-igp@1","period":"2026-27","final_due":"2027-06-30"}"#), as: .some(lead))
            try await app.send(.PUT, "/api/v1/organisations/T91/assessments/A1/items/B2.a", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"indicators":["B2.a-PA1","made-up"],"level":"achieved"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("'made-up' is not an indicator of B2.a"))
            }
            try await app.send(.PUT, "/api/v1/organisations/T91/assessments/A1/items/B2.a", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"indicators":["B2.a-PA1"],"level":"achieved"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                let items = try XCTUnwrap(try res.json()["items"] as? [[String: Any]])
                XCTAssertEqual(items.first?["level"] as? String, "partially-achieved", "graded from the ticks, not the level sent")
            }
            try await app.send(.GET, "/organisations/T91/assessments/A1/items/B2.a", as: .some(lead)) { res async throws in
                XCTAssertTrue(res.text.contains("Indicators of good practice"))
                XCTAssertTrue(res.text.contains(#"value="B2.a-PA1" checked"#) || res.text.contains(#"id="indicator-B2.a-PA1" name="indicators[]" value="B2.a-PA1" checked"#))
            }
        }
    }

    func testOSCALCatalogIdsAreTokensAndKeepThePublishersLabels() throws {
        let catalogue = try XCTUnwrap(FrameworkLibrary.shipped.find("dspt-ndg"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try OSCALExport.catalog(catalogue, now: Date(timeIntervalSince1970: 1_790_000_000))) as? [String: Any])
        let catalog = try XCTUnwrap(json["catalog"] as? [String: Any])
        let metadata = try XCTUnwrap(catalog["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["oscal-version"] as? String, "1.1.2")
        let first = try XCTUnwrap(((catalog["groups"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]])?.first?["controls"] as? [[String: Any]])
        XCTAssertEqual(first.first?["id"] as? String, "item-1.1", "an OSCAL id must start with a letter")
        XCTAssertEqual((first.first?["props"] as? [[String: Any]])?.first?["value"] as? String, "1.1")
        XCTAssertEqual(OSCALExport.uuid("x"), OSCALExport.uuid("x"))
        XCTAssertTrue(OSCALExport.uuid("x").range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil)
    }

    func testTheICBSeesPositionsBelowItAndATrustCannotSeeTheICBs() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let oversight = try await TestCredentials.make(role: .oversight, organisation: "Q9A", on: app, email: "oversight@q9a.example")
            try await app.send(.GET, "/api/v1/organisations/Q9A/compliance-positions", as: .some(oversight)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]])
                let t92 = try XCTUnwrap(rows.first { $0["ods_code"] as? String == "T92" })
                XCTAssertEqual((t92["dspt"] as? [String: Any])?["status"] as? String, "Standards Met")
                let t91 = try XCTUnwrap(rows.first { $0["ods_code"] as? String == "T91" })
                XCTAssertEqual((t91["dspt"] as? [String: Any])?["mandatory"] as? Int, 8)
                XCTAssertEqual((t91["caf"] as? [String: Any])?["framework"] as? String, "ncsc-caf@3.2")
                XCTAssertFalse(rows.contains { $0["ods_code"] as? String == "T94" }, "T94 is under Q9B")
            }
            try await app.send(.GET, "/organisations/Q9A/compliance-positions", as: .some(oversight)) { res async throws in
                XCTAssertTrue(res.text.contains("Standards Met"))
            }
            let manager = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "manager@kingsmere.example")
            try await app.send(.GET, "/api/v1/organisations/Q9A/compliance-positions", as: .some(manager)) { res async throws in
                XCTAssertEqual(res.status, .notFound, "the ICB is not the trust's to read")
            }
        }
    }

    func testReportsCountGapsMandatoryItemsAndExpiredEvidence() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            try await app.send(.POST, "/api/v1/organisations/T91/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"title":"Old backup test","url":"https://intranet.example.nhs.uk/old","review_by":"2020-01-01"}"#), as: .some(lead))
            try await app.send(.POST, "/api/v1/organisations/T91/assessments/A1/items/B5.c/evidence", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"evidence":"E1"}"#), as: .some(lead))
            try await app.send(.GET, "/organisations/T91/assessments/A1/report", as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("Mandatory items not yet met (8)"), "none of the eight is achieved in the demo")
                XCTAssertTrue(res.text.contains("Expired evidence (1)"))
            }
            try await app.send(.GET, "/organisations/T91/assessments/A1/results.csv", as: .some(lead)) { res async throws in
                let lines = res.text.split(separator: "\n")
                XCTAssertEqual(lines.first, Substring(AssessmentReports.csvHeader.joined(separator: ",")))
                XCTAssertEqual(lines.count, 45, "a header and 44 items")
                XCTAssertTrue(lines.contains { $0.hasPrefix("B5.c,") && $0.contains(",E1,1,") })
            }
            try await app.send(.GET, "/api/v1/organisations/T91/assessments/A1/oscal", as: .some(lead)) { res async throws in
                let results = try XCTUnwrap((try res.json()["assessment-results"] as? [String: Any])?["results"] as? [[String: Any]])
                let findings = try XCTUnwrap(results.first?["findings"] as? [[String: Any]])
                XCTAssertEqual(findings.count, 7, "one finding per item with a result")
                let a1a = try XCTUnwrap(findings.first { ($0["target"] as? [String: Any])?["target-id"] as? String == "a1.a" })
                XCTAssertEqual(((a1a["target"] as? [String: Any])?["status"] as? [String: Any])?["state"] as? String, "satisfied")
            }
        }
    }
}
