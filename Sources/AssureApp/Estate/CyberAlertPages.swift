import AssureCore
import Foundation
import Plot
import SQLKit
import Vapor

/// NHS England's high severity cyber alerts: the register (added by a system administrator, for
/// every organisation) and each organisation's acknowledgement and update against the deadlines,
/// with the devices the alert's CVEs affect there.
enum CyberAlertPages {
    struct Alert: Content {
        var reference: String
        var title: String
        var issued_at: Date
        var cves: [String]
        var required_action: String
        var status: String
        var acknowledged_at: Date?
        var acknowledged_by: String?
        var updated_at: Date?
        var note: String
        var acknowledgement_due: Date
        var update_due: Date
        var acknowledgement_overdue: Bool
        var acknowledged_late: Bool
        var update_overdue: Bool
        var affected_devices: Int
    }

    static func alerts(for organisation: UUID, now: Date, on sql: any SQLDatabase) async throws -> [Alert] {
        let rows = try await sql.raw("""
            SELECT a.id, a.reference, a.title, a.issued_at, a.cves, a.required_action, r.status, r.acknowledged_at, r.acknowledged_by, r.updated_at, r.note
            FROM cyber_alerts a LEFT JOIN cyber_alert_responses r ON r.alert_id = a.id AND r.organisation_id = \(bind: organisation)
            ORDER BY a.issued_at DESC
            """).all()
        var alerts: [Alert] = []
        for row in rows {
            let cves = try row.decode(column: "cves", as: String.self).split(separator: " ").map(String.init)
            let issued = try row.decode(column: "issued_at", as: Date.self)
            let status = CyberAlertStatus(rawValue: try row.decode(column: "status", as: String?.self) ?? "") ?? .notStarted
            let acknowledged = try row.decode(column: "acknowledged_at", as: Date?.self), updated = try row.decode(column: "updated_at", as: Date?.self)
            let standing = CyberAlertRules.standing(issued: issued, acknowledged: acknowledged, updated: updated, status: status, now: now)
            let affected = cves.isEmpty ? 0 : try await sql.raw("""
                SELECT COUNT(*) AS n FROM estate_devices d WHERE d.organisation_id = \(bind: organisation) AND \(EstateQueries.affected(by: cves, organisation: organisation))
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            alerts.append(Alert(reference: try row.decode(column: "reference", as: String.self), title: try row.decode(column: "title", as: String.self), issued_at: issued,
                                cves: cves, required_action: try row.decode(column: "required_action", as: String.self), status: status.rawValue,
                                acknowledged_at: acknowledged, acknowledged_by: try row.decode(column: "acknowledged_by", as: String?.self), updated_at: updated,
                                note: try row.decode(column: "note", as: String?.self) ?? "", acknowledgement_due: standing.acknowledgementDue, update_due: standing.updateDue,
                                acknowledgement_overdue: standing.acknowledgementOverdue, acknowledged_late: standing.acknowledgedLate,
                                update_overdue: standing.updateOverdue, affected_devices: affected))
        }
        return alerts
    }

    static func board(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        return Layout.response(EstatePages.shell(context, "Cyber alerts"), CyberAlertBoardPage.view(try await CyberAlertBoardPage.load(context)))
    }

    /// The board again, 422, with a form's values and its problems beside the fields.
    static func sentBack(_ error: AssureError, _ form: CyberAlertBoardPage.SentForm, values: [String: String], context: OrganisationContext) async throws -> Response {
        let model = try await CyberAlertBoardPage.load(context, submitted: .init(form: form, values: values, problems: error.problems))
        return Layout.response(EstatePages.shell(context, "Cyber alerts", problems: true), status: .unprocessableEntity, CyberAlertBoardPage.view(model))
    }

    struct Response_: Content { var status: String?; var note: String? }

    static func record(_ input: Response_, alert reference: String, context: OrganisationContext, req: Request) async throws {
        guard let status = CyberAlertStatus(rawValue: input.status ?? "") else {
            throw AssureError.invalid([RuleError(field: "status", message: "Choose a status: \(CyberAlertStatus.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= 2000 else { throw AssureError.invalid([RuleError(field: "note", message: "Keep the note to 2,000 characters or fewer")]) }
        if status == .notAffected, note.isEmpty { throw AssureError.invalid([RuleError(field: "note", message: "Say why the organisation is not affected")]) }
        let organisation = context.organisation, audit = req.auditContext, now = req.application.clock.now(), who = context.actor
        try await req.db.writeTransaction { db in
            let sql = try db.sqlDatabase
            guard let alert = try await sql.raw("SELECT id FROM cyber_alerts WHERE reference = \(bind: reference)").first() else {
                throw AssureError.notFound("No cyber alert has the reference '\(reference)'")
            }
            let id = try alert.decode(column: "id", as: UUID.self)
            let existing = try await sql.raw("SELECT status, acknowledged_at, updated_at FROM cyber_alert_responses WHERE alert_id = \(bind: id) AND organisation_id = \(bind: organisation.id)").first()
            let before = try existing?.decode(column: "status", as: String.self)
            let acknowledged = try existing?.decode(column: "acknowledged_at", as: Date?.self) ?? now
            let updated = status.isClosed ? (try existing?.decode(column: "updated_at", as: Date?.self) ?? now) : nil
            try await sql.raw("DELETE FROM cyber_alert_responses WHERE alert_id = \(bind: id) AND organisation_id = \(bind: organisation.id)").run()
            try await sql.insert(into: "cyber_alert_responses").columns("id", "alert_id", "organisation_id", "status", "acknowledged_at", "acknowledged_by", "updated_at", "note")
                .values(SQLBind(UUID()), SQLBind(id), SQLBind(organisation.id), SQLBind(status.rawValue), SQLBind(acknowledged), SQLBind(who), SQLBind(updated), SQLBind(note)).run()
            try await AuditTrail.append([audit.event(existing == nil ? "acknowledge" : "update", "cyber-alert", reference, organisation: organisation.odsCode, changes: ["status": .init(before: before, after: status.rawValue)])], on: db)
        }
    }

    static func respond(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        let reference = try req.pathParameter(SiteURL.alertReference)
        let input = try req.content.decode(Response_.self)
        do {
            try await record(input, alert: reference, context: context, req: req)
        } catch let error as AssureError where error.status == .unprocessableEntity {
            return try await sentBack(error, .response(reference), values: ["status": input.status ?? "", "note": input.note ?? ""], context: context)
        }
        return req.redirect(to: SiteURL.cyberAlerts(context.organisation.odsCode).path)
    }

    static func respondAPI(req: Request) async throws -> Alert {
        let context = try await req.organisationContext(.editAnyRecord)
        let reference = try req.pathParameter(SiteURL.alertReference)
        try await record(try req.content.decode(Response_.self), alert: reference, context: context, req: req)
        guard let alert = try await alerts(for: context.organisation.id, now: req.application.clock.now(), on: try req.db.sqlDatabase).first(where: { $0.reference == reference }) else { throw Abort(.notFound) }
        return alert
    }

    static func list(req: Request) async throws -> [Alert] {
        let context = try await req.organisationContext(.read)
        let sql = try req.db.sqlDatabase
        return try await alerts(for: context.organisation.id, now: req.application.clock.now(), on: sql)
    }

    struct NewAlert: Content { var reference: String?; var title: String?; var issued_at: String?; var cves: String?; var required_action: String?; var organisation: String? }

    static func create(_ input: NewAlert, req: Request) async throws -> String {
        let identity = try req.authoriseSystem(.administerSystem)
        let reference = (input.reference ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let title = (input.title ?? "").trimmingCharacters(in: .whitespaces), action = (input.required_action ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let cves = (input.cves ?? "").uppercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" }).map(String.init)
        var problems = CyberAlertRules.problems(reference: reference, title: title, cves: cves, action: action)
        var issued = req.application.clock.now()
        if let text = input.issued_at?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let date = ISO8601DateFormatter().date(from: text) { issued = date } else {
                problems.append(RuleError(field: "issued_at", message: "Enter the time as YYYY-MM-DDTHH:MM:SSZ, for example 2026-11-20T09:00:00Z"))
            }
        }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        let audit = req.auditContext, when = issued
        try await req.db.writeTransaction { db in
            let sql = try db.sqlDatabase
            let exists = try await sql.raw("SELECT COUNT(*) AS n FROM cyber_alerts WHERE reference = \(bind: reference)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard exists == 0 else { throw AssureError.invalid([RuleError(field: "reference", message: "An alert \(reference) is already recorded")]) }
            try await sql.insert(into: "cyber_alerts").columns("id", "reference", "title", "issued_at", "cves", "required_action", "created_by")
                .values(SQLBind(UUID()), SQLBind(reference), SQLBind(title), SQLBind(when), SQLBind(cves.joined(separator: " ")), SQLBind(action), SQLBind(identity.email)).run()
            try await AuditTrail.append([audit.event("create", "cyber-alert", reference, organisation: nil, changes: ["cves": .init(before: nil, after: cves.joined(separator: " "))])], on: db)
        }
        return reference
    }

    static func add(req: Request) async throws -> Response {
        let input = try req.content.decode(NewAlert.self)
        let code = (input.organisation ?? "").uppercased()
        do {
            _ = try await create(input, req: req)
        } catch let error as AssureError where error.status == .unprocessableEntity && !code.isEmpty {
            let values = ["reference": input.reference ?? "", "title": input.title ?? "", "issued_at": input.issued_at ?? "", "cves": input.cves ?? "",
                          "required_action": input.required_action ?? ""]
            return try await sentBack(error, .newAlert, values: values, context: try await req.organisationContext(.read, code: code))
        }
        return req.redirect(to: code.allSatisfy { $0.isLetter || $0.isNumber } && !code.isEmpty ? SiteURL.cyberAlerts(code).path : SiteURL.organisations.path)
    }

    struct AddedAlert: Content { var reference: String }

    static func addAPI(req: Request) async throws -> Created<AddedAlert> {
        Created(AddedAlert(reference: try await create(try req.content.decode(NewAlert.self), req: req)))
    }
}
