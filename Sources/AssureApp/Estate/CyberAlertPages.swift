import AssureCore
import Foundation
import Plot
import SQLKit
import Vapor

/// The cyber alert board's handlers: show it, take an organisation's answer, record a new alert
/// (`CyberAlerts` does the work; `CyberAlertBoardPage` draws the page).
enum CyberAlertPages {
    static func board(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.read)
        return Layout.response(EstatePages.shell(context, "Cyber alerts"), CyberAlertBoardPage.view(try await CyberAlertBoardPage.load(context)))
    }

    /// The board again, 422, with a form's values and its problems beside the fields.
    static func sentBack(_ error: AssureError, _ form: CyberAlertBoardPage.SentForm, values: [String: String], context: OrganisationContext) async throws -> Response {
        let model = try await CyberAlertBoardPage.load(context, submitted: .init(form: form, values: values, problems: error.problems))
        return Layout.response(EstatePages.shell(context, "Cyber alerts", problems: true), status: .unprocessableEntity, CyberAlertBoardPage.view(model))
    }

    static func respond(req: Request) async throws -> Response {
        let context = try await req.organisationContext(.editAnyRecord)
        let reference = try req.pathParameter(SiteURL.alertReference)
        let input = try req.content.decode(CyberAlerts.Answer.self)
        do {
            try await CyberAlerts.record(input, alert: reference, context: context)
        } catch let error as AssureError where error.status == .unprocessableEntity {
            return try await sentBack(error, .response(reference), values: ["status": input.status ?? "", "note": input.note ?? ""], context: context)
        }
        return req.redirect(to: SiteURL.cyberAlerts(context.organisation.odsCode).path)
    }

    static func add(req: Request) async throws -> Response {
        let input = try req.content.decode(CyberAlerts.NewAlert.self)
        let code = (input.organisation ?? "").uppercased()
        do {
            _ = try await CyberAlerts.create(input, by: try req.authoriseSystem(.administerSystem), now: req.application.clock.now(), audit: req.auditContext, on: req.db)
        } catch let error as AssureError where error.status == .unprocessableEntity && !code.isEmpty {
            let values = ["reference": input.reference ?? "", "title": input.title ?? "", "issued_at": input.issued_at ?? "", "cves": input.cves ?? "",
                          "required_action": input.required_action ?? ""]
            return try await sentBack(error, .newAlert, values: values, context: try await req.organisationContext(.read, code: code))
        }
        return req.redirect(to: code.allSatisfy { $0.isLetter || $0.isNumber } && !code.isEmpty ? SiteURL.cyberAlerts(code).path : SiteURL.organisations.path)
    }


}
