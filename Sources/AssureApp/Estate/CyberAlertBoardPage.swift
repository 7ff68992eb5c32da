import AssureCore
import Foundation
import Plot

/// `/organisations/{code}/cyber-alerts`: each alert with the organisation's acknowledgement and
/// update against the deadlines, the form to answer it, and (for system administrators) the form
/// to record a new one. A form sent back with problems shows them beside its fields.
enum CyberAlertBoardPage {
    /// Which form came back: an answer to one alert, or a new alert.
    enum SentForm: Equatable { case response(String), newAlert }

    struct Submitted {
        var form: SentForm
        var values: [String: String]
        var problems: [AssureError.FieldProblem]
    }

    struct Model {
        var code: String
        var alerts: [CyberAlerts.Alert]
        var mayRespond = false
        var mayRecord = false
        var submitted: Submitted?

        var problems: [AssureError.FieldProblem] { submitted?.problems ?? [] }

        /// What was sent in this form, and what is wrong with one of its fields.
        func sent(_ form: SentForm, _ field: String) -> String? { submitted?.form == form ? submitted?.values[field] : nil }
        func problem(_ form: SentForm, _ field: String) -> String? { submitted?.form == form ? submitted?.problems.message(for: field) : nil }
    }

    static let newAlertFields = ["reference", "title", "issued_at", "cves", "required_action"]

    static func load(_ context: OrganisationContext, submitted: Submitted? = nil) async throws -> Model {
        Model(code: context.organisation.odsCode,
              alerts: try await CyberAlerts.alerts(for: context.organisation.id, now: context.clock.now(), on: try context.database.sqlDatabase),
              mayRespond: context.may(.editAnyRecord), mayRecord: context.maySystemWide(.administerSystem), submitted: submitted)
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let fieldIDs: Set<String> = switch model.submitted?.form {
        case .response(let reference): ["status-\(reference)", "note-\(reference)"]
        case .newAlert: Set(newAlertFields)
        case nil: []
        }
        // The summary links each problem to its field; an answer's fields are named per alert.
        let linked = model.problems.map { problem -> AssureError.FieldProblem in
            guard case .response(let reference) = model.submitted?.form else { return problem }
            return .init(field: "\(problem.field)-\(reference)", message: problem.message, line: problem.line)
        }
        return .group(
            Components.errorSummary(linked, fieldIDs: fieldIDs),
            .h1(.text("High severity cyber alerts")),
            .p(.class("lede"), .text("NHS England's high severity alerts: acknowledge each within \(CyberAlertRules.acknowledgementHours) hours of issue and give your update (patched, mitigated or not affected) within \(CyberAlertRules.updateDays) days. Affected devices come from the alert's CVEs and the latest estate analysis.")),
            model.alerts.isEmpty ? Components.emptyState(title: "No alerts", message: "No high severity alert has been recorded.", actions: [])
                : .group(.forEach(model.alerts) { alert(model, $0) }),
            .if(model.mayRecord, newAlertForm(model))
        )
    }

    private static func alert(_ model: Model, _ alert: CyberAlerts.Alert) -> Node<HTML.BodyContext> {
        let form = SentForm.response(alert.reference)
        return .section(.class("panel"),
            .h2(.text("\(alert.reference): \(alert.title)")),
            Components.summaryList([
                ("Issued", .text(LondonTime.format(alert.issued_at))),
                ("CVEs", .group(.forEach(alert.cves) { .group(.a(.href(SiteURL.estateVulnerability(model.code, $0).path), .text($0)), .text(" ")) })),
                ("Required action", .text(alert.required_action)),
                ("Devices affected here", alert.affected_devices > 0 ? .span(.class("tag tag--red"), .text("\(alert.affected_devices)")) : .text("0")),
                ("Status", .text(CyberAlertStatus(rawValue: alert.status)?.displayName ?? alert.status)),
                ("Acknowledgement", alert.acknowledged_at.map { .text("Acknowledged \(LondonTime.format($0)) by \(alert.acknowledged_by ?? "")" + (alert.acknowledged_late ? " (late)" : "")) }
                    ?? (alert.acknowledgement_overdue ? .span(.class("tag tag--red"), .text("Overdue since \(LondonTime.format(alert.acknowledgement_due))"))
                        : .text("Due by \(LondonTime.format(alert.acknowledgement_due))"))),
                ("Update", alert.update_overdue ? .span(.class("tag tag--red"), .text("Overdue since \(LondonTime.format(alert.update_due))"))
                    : .text(alert.updated_at.map { "Given \(LondonTime.format($0))" } ?? "Due by \(LondonTime.format(alert.update_due))")),
                ("Note", .text(alert.note.nonEmpty ?? "—")),
            ]),
            .if(model.mayRespond, .form(.method(.post), .action(SiteURL.cyberAlertResponse(model.code, alert.reference).path), Components.csrfField(),
                Components.selectField(.init(id: "status-\(alert.reference)", label: "Status", value: model.sent(form, "status") ?? alert.status,
                                             error: model.problem(form, "status"), width: ""),
                                       options: CyberAlertStatus.allCases.map { ($0.rawValue, $0.displayName) }, name: "status"),
                Components.textArea(.init(id: "note-\(alert.reference)", label: "Note", hint: "What was done, or why the organisation is not affected",
                                          value: model.sent(form, "note") ?? alert.note, error: model.problem(form, "note")), rows: 2, name: "note"),
                .button(.type(.submit), .class("button"), .text(alert.acknowledged_at == nil ? "Acknowledge and save" : "Save update"))))
        )
    }

    private static func newAlertForm(_ model: Model) -> Node<HTML.BodyContext> {
        let field = { (id: String, label: String, hint: String?, width: String) -> Node<HTML.FormContext> in
            Components.textField(.init(id: id, label: label, hint: hint, value: model.sent(.newAlert, id) ?? "", error: model.problem(.newAlert, id), width: width))
        }
        return .group(
            .h2(.text("Record a new alert")),
            .form(.method(.post), .action(SiteURL.newCyberAlert.path), Components.csrfField(),
                  .input(.type(.hidden), .name("organisation"), .value(model.code)),
                  field("reference", "Reference", "e.g. CC-4512", "field--narrow"),
                  field("title", "Title", nil, "field--wide"),
                  field("issued_at", "Issued", "YYYY-MM-DDTHH:MM:SSZ; empty for now", "field--wide"),
                  field("cves", "CVEs", "Separated by spaces or commas", "field--wide"),
                  Components.textArea(.init(id: "required_action", label: "Required action", value: model.sent(.newAlert, "required_action") ?? "",
                                            error: model.problem(.newAlert, "required_action")), rows: 2),
                  .button(.type(.submit), .class("button"), .text("Record alert")))
        )
    }
}
