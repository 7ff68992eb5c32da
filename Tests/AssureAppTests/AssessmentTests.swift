import AssureCore
import Fluent
import XCTVapor
@testable import AssureApp

/// Self-assessments: started against a shipped catalogue and period, results only at levels the
/// item allows, gaps to target, approval by someone other than the owner.
final class AssessmentTests: XCTestCase {
    let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    func encode(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    func testAnIGLeadAssessesTheCAFAgainstATargetProfile() async throws {
        try await withAssure(demo: true) { app in
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            let siro = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "siro@kingsmere.example")
            try await app.send(.POST, "/organisations/T91/assessments", headers: form,
                               body: encode(["framework": "made-up", "period": "", "final_due": "2026-02-30"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                for field in ["framework", "period", "final_due"] { XCTAssertTrue(res.text.contains("href=\"#\(field)\""), field) }
            }
            try await app.send(.POST, "/organisations/T91/assessments", headers: form,
                               body: encode(["framework": "ncsc-caf@3.2", "period": "2025-26", "interim_due": "2025-12-31", "final_due": "2026-06-30",
                                             "profile": "govassure-baseline"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
                XCTAssertEqual(res.headers.first(name: .location), "/organisations/T91/assessments/A1")
            }
            try await app.send(.POST, "/organisations/T91/assessments/A1/items/A1.a", headers: form,
                               body: encode(["level": "partially-achieved", "status": "in-progress"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "A1.a has no partially achieved")
                XCTAssertTrue(res.text.contains("A1.a allows Not achieved, Achieved"))
            }
            try await app.send(.POST, "/organisations/T91/assessments/A1/items/A2.a", headers: form,
                               body: encode(["level": "partially-achieved", "rationale": "Register reviewed; some overdue", "owner": lead.email, "status": "approved"]),
                               as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("cannot also approve"))
            }
            // Four eyes: the owner submits, someone else approves what was submitted unchanged.
            try await app.send(.POST, "/organisations/T91/assessments/A1/items/A2.a", headers: form,
                               body: encode(["level": "partially-achieved", "rationale": "Register reviewed; some overdue", "owner": lead.email, "status": "ready-for-review"]),
                               as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.POST, "/organisations/T91/assessments/A1/items/A2.a", headers: form,
                               body: encode(["level": "partially-achieved", "rationale": "Register reviewed; some overdue", "owner": lead.email, "status": "approved"]),
                               as: .some(siro)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.POST, "/organisations/T91/assessments/A1/items/A1.a", headers: form,
                               body: encode(["level": "not-achieved", "rationale": "No board cyber training", "status": "ready-for-review"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.GET, "/organisations/T91/assessments/A1", as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("2 / 39"))
                XCTAssertTrue(res.text.contains(">38<"), "37 unassessed outcomes and A1.a are below the baseline; A2.a meets it")
                XCTAssertTrue(res.text.contains("Partially achieved: 1"))
            }
            let result = try await AssessmentResult.query(on: app.db).filter(\.$itemID == "A2.a").first()
            XCTAssertEqual(result?.reviewerEmail, siro.email)
            let audited = try await auditEntries(app).filter { $0.entityType == "assessment" }.map(\.action)
            XCTAssertEqual(audited, ["create", "record-result", "record-result", "record-result"])
            let elsewhere = try await TestCredentials.make(role: .manager, organisation: "T94", on: app, email: "ig@castledowns.example")
            try await app.send(.GET, "/organisations/T91/assessments/A1", as: .some(elsewhere)) { res async throws in XCTAssertEqual(res.status, .notFound) }
        }
    }

    func testTheDSPTOnTheNDGStandardsRollsUpItsStatus() async throws {
        try await withAssure(demo: true) { app in
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            try await app.send(.POST, "/organisations/T91/assessments", headers: form,
                               body: encode(["framework": "dspt-ndg", "period": "2023-24", "final_due": "2024-06-30"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .seeOther)
            }
            try await app.send(.POST, "/organisations/T91/assessments", headers: form,
                               body: encode(["framework": "dspt-ndg", "period": "2023-24", "final_due": "2024-06-30"]), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .conflict, "one assessment per framework and period")
            }
            try await app.send(.POST, "/organisations/T91/assessments/A1/items/1.1", headers: form,
                               body: encode(["level": "met", "status": "in-progress"]), as: .some(lead)) { res async throws in XCTAssertEqual(res.status, .seeOther) }
            try await app.send(.GET, "/organisations/T91/assessments/A1", as: .some(lead)) { res async throws in
                XCTAssertTrue(res.text.contains("Approaching Standards"))
            }
        }
    }
}

final class AssessmentAPITests: XCTestCase {
    func testTheAssessmentAPIStartsRecordsAndReads() async throws {
        try await withAssure(demo: true) { app in
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            try await app.send(.GET, "/api/v1/frameworks", as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.text.contains("\"key\":\"ncsc-caf@4.0\""))
            }
            try await app.send(.GET, "/api/v1/frameworks/dtac", as: .some(lead)) { res async throws in
                XCTAssertEqual((try res.json()["items"] as? [[String: Any]])?.count, 5)
            }
            try await app.send(.POST, "/api/v1/organisations/T91/assessments", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"framework": "cyber-essentials@2025", "period": "2026", "final_due": "2026-03-31"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .created)
            }
            try await app.send(.PUT, "/api/v1/organisations/T91/assessments/A1/items/CE1", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"level": "achieved"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity, "not a level Cyber Essentials has")
            }
            try await app.send(.PUT, "/api/v1/organisations/T91/assessments/A1/items/CE1", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"level": "compliant", "target": "compliant", "rationale": "Managed firewalls", "status": "in-progress"}"#),
                               as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                let json = try res.json()
                XCTAssertEqual((json["counts"] as? [String: Int])?["compliant"], 1)
                XCTAssertEqual(json["below_target"] as? Int, 0)
                XCTAssertEqual(json["mandatory_not_met"] as? Int, 5)
            }
        }
    }

    /// The one approval rule, through the API: an owner cannot approve by leaving out, blanking or
    /// changing the owner; no one approves their own change; a partial update changes only what
    /// it sends, and an empty or misspelt body is refused without touching the stored result.
    func testApprovalNeedsFourEyesAndPartialUpdatesChangeOnlyWhatIsSent() async throws {
        try await withAssure(demo: true) { app in
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            let siro = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "siro@kingsmere.example")
            let cio = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "cio@kingsmere.example")
            try await app.send(.POST, "/api/v1/organisations/T91/assessments", headers: jsonHeaders(),
                               body: ByteBuffer(string: #"{"framework":"ncsc-caf@3.2","period":"2025-26","final_due":"2026-06-30"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .created, res.text)
            }
            let item = "/api/v1/organisations/T91/assessments/A1/items/A2.a"
            func put(_ body: String, as who: TestCredentials) async throws -> (HTTPStatus, String) {
                var result: (HTTPStatus, String) = (.ok, "")
                try await app.send(.PUT, item, headers: jsonHeaders(), body: ByteBuffer(string: body), as: .some(who)) { res async throws in result = (res.status, res.text) }
                return result
            }
            func stored() async throws -> AssessmentResult? { try await AssessmentResult.query(on: app.db).filter(\.$itemID == "A2.a").first() }
            var (status, text) = try await put(#"{"level":"achieved","rationale":"Register reviewed","owner":"ig.lead@kingsmere.example","status":"ready-for-review"}"#, as: lead)
            XCTAssertEqual(status, .ok, text)
            for attempt in [#"{"status":"approved"}"#, #"{"status":"approved","owner":""}"#, #"{"status":"approved","owner":"siro@kingsmere.example"}"#] {
                (status, text) = try await put(attempt, as: lead)
                XCTAssertEqual(status, .unprocessableEntity, attempt)
                XCTAssertTrue(text.contains("someone else must approve") || text.contains("cannot also approve"), text)
            }
            var result = try await stored()
            XCTAssertEqual(result?.ownerEmail, "ig.lead@kingsmere.example", "a refused approval leaves the owner as it was")
            XCTAssertEqual(result?.itemStatus, .readyForReview)
            for bad in ["{}", #"{"levle":"achieved"}"#, #"{"status":"approved","approver":"x"}"#] {
                (status, text) = try await put(bad, as: siro)
                XCTAssertEqual(status, .unprocessableEntity, bad)
                if bad != "{}" { XCTAssertTrue(text.contains(bad.contains("levle") ? "levle" : "approver"), text) }
            }
            result = try await stored()
            XCTAssertEqual(result?.level, "achieved")
            XCTAssertEqual(result?.rationale, "Register reviewed")
            XCTAssertEqual(result?.ownerEmail, "ig.lead@kingsmere.example", "nothing was wiped")
            // siro changes only the rationale, and then may not approve their own change.
            (status, text) = try await put(#"{"rationale":"Register reviewed by the committee"}"#, as: siro)
            XCTAssertEqual(status, .ok, text)
            result = try await stored()
            XCTAssertEqual(result?.level, "achieved", "a field not sent is kept")
            XCTAssertEqual(result?.ownerEmail, "ig.lead@kingsmere.example")
            (status, text) = try await put(#"{"status":"approved"}"#, as: siro)
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertTrue(text.contains("You made this change"), text)
            (status, text) = try await put(#"{"status":"approved"}"#, as: cio)
            XCTAssertEqual(status, .ok, text)
            result = try await stored()
            XCTAssertEqual(result?.itemStatus, .approved)
            XCTAssertEqual(result?.reviewerEmail, "cio@kingsmere.example")
            // Changing what was approved takes the approval away.
            (status, text) = try await put(#"{"level":"not-achieved"}"#, as: lead)
            XCTAssertEqual(status, .ok, text)
            result = try await stored()
            XCTAssertEqual(result?.itemStatus, .readyForReview)
            XCTAssertNil(result?.reviewerEmail)
        }
    }
}

/// Deadlines left blank are the publisher's for the period, from dated reference data.
final class SubmissionDeadlineTests: XCTestCase {
    let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    func testABlankDeadlineIsTheDSPTsPublishedOneAndAFrameworkWithoutOneAsksForIt() async throws {
        try await withAssure(demo: true) { app in
            let lead = try await TestCredentials.make(role: .manager, organisation: "T91", on: app, email: "ig.lead@kingsmere.example")
            try await app.send(.POST, "/api/v1/organisations/T91/assessments", headers: ["Content-Type": "application/json"],
                               body: ByteBuffer(string: #"{"framework":"dspt-caf@2024-25","period":"2024-25"}"#), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .created, res.text)
                XCTAssertTrue(res.text.contains("2025-06-30"), res.text)
                XCTAssertTrue(res.text.contains("2024-12-31"), "the published interim baseline: \(res.text)")
            }
            try await app.send(.POST, "/organisations/T91/assessments", headers: form,
                               body: ByteBuffer(string: "framework=ncsc-caf%403.2&period=2026-27&final_due="), as: .some(lead)) { res async throws in
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.text.contains("href=\"#final_due\""), res.text)
                XCTAssertTrue(res.text.contains("Assure knows no published deadline for"), res.text)
            }
            // The form names the date it would use, flagged while NHS England has not confirmed it.
            try await app.send(.GET, "/organisations/T91/assessments", as: .some(lead)) { res async throws in
                let period = SubmissionDeadlines.period(containing: app.clock.today)
                if let known = SubmissionDeadlines.deadline(framework: "dspt-caf", period: period) {
                    XCTAssertTrue(res.text.contains(known.finalDue.nhsStyle), res.text)
                    XCTAssertEqual(res.text.contains("not yet confirmed by NHS England"), !known.verified)
                }
            }
        }
    }
}
