import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// NHS England's high severity cyber alerts: the register (one list for every organisation, kept
/// by system administrators) and each organisation's acknowledgement and update against the
/// deadlines, with the devices the alert's CVEs affect there. The pages and the API both use it.
enum CyberAlerts {
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

    /// An organisation's answer to an alert: its status and a note (required when not affected).
    struct Answer: Content { var status: String?; var note: String? }

    static func record(_ input: Answer, alert reference: String, context: OrganisationContext) async throws {
        guard let status = CyberAlertStatus(rawValue: input.status ?? "") else {
            throw AssureError.invalid([RuleError(field: "status", message: "Choose a status: \(CyberAlertStatus.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= 2000 else { throw AssureError.invalid([RuleError(field: "note", message: "Keep the note to 2,000 characters or fewer")]) }
        if status == .notAffected, note.isEmpty { throw AssureError.invalid([RuleError(field: "note", message: "Say why the organisation is not affected")]) }
        let organisation = context.organisation, audit = context.audit, now = context.clock.now(), who = context.actor
        try await context.database.writeTransaction { db in
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

    struct NewAlert: Content { var reference: String?; var title: String?; var issued_at: String?; var cves: String?; var required_action: String?; var organisation: String? }

    /// Records a new alert for every organisation. Only a system administrator may: the caller checks.
    static func create(_ input: NewAlert, by identity: Identity, now: Date, audit: AuditContext, on database: any Database) async throws -> String {
        let reference = (input.reference ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let title = (input.title ?? "").trimmingCharacters(in: .whitespaces), action = (input.required_action ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let cves = (input.cves ?? "").uppercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" }).map(String.init)
        var problems = CyberAlertRules.problems(reference: reference, title: title, cves: cves, action: action)
        var issued = now
        if let text = input.issued_at?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let date = ISO8601DateFormatter().date(from: text) { issued = date } else {
                problems.append(RuleError(field: "issued_at", message: "Enter the time as YYYY-MM-DDTHH:MM:SSZ, for example 2026-11-20T09:00:00Z"))
            }
        }
        guard problems.isEmpty else { throw AssureError.invalid(problems) }
        let when = issued
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            let exists = try await sql.raw("SELECT COUNT(*) AS n FROM cyber_alerts WHERE reference = \(bind: reference)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard exists == 0 else { throw AssureError.invalid([RuleError(field: "reference", message: "An alert \(reference) is already recorded")]) }
            try await sql.insert(into: "cyber_alerts").columns("id", "reference", "title", "issued_at", "cves", "required_action", "created_by")
                .values(SQLBind(UUID()), SQLBind(reference), SQLBind(title), SQLBind(when), SQLBind(cves.joined(separator: " ")), SQLBind(action), SQLBind(identity.email)).run()
            try await AuditTrail.append([audit.event("create", "cyber-alert", reference, organisation: nil, changes: ["cves": .init(before: nil, after: cves.joined(separator: " "))])], on: db)
        }
        return reference
    }
}
