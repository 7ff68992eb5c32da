import AssureCore
import Fluent
import Foundation
import SQLKit

/// The one risk the estate keeps on an organisation's register: raised when known-exploited
/// exposure or unsupported operating systems pass the organisation's thresholds, and afterwards
/// updated with each analysis's figures, never duplicated. It is found by its source reference.
struct EstateRisk {
    static let sourceReference = "assure:estate-exposure"

    let context: OrganisationContext

    var database: any Database { context.database }
    var organisation: OrganisationRecord { context.organisation }
    var today: CalendarDay { context.today }

    static func thresholds(for organisation: UUID, on sql: any SQLDatabase) async throws -> EstateRiskThresholds {
        guard let row = try await sql.raw("SELECT known_exploited_percent, unsupported_os_percent FROM estate_settings WHERE organisation_id = \(bind: organisation)").first() else {
            return EstateRiskThresholds()
        }
        return EstateRiskThresholds(knownExploitedPercent: try row.decode(column: "known_exploited_percent", as: Double.self),
                                    unsupportedOSPercent: try row.decode(column: "unsupported_os_percent", as: Double.self))
    }

    /// The risk's reference when one was raised or updated; nil when nothing passed a threshold
    /// and no risk is open, or nobody in the organisation may own a risk.
    func raiseOrUpdate(_ rollUp: EstateRollUp) async throws -> String? {
        let sql = try database.sqlDatabase
        let breaches = try await Self.thresholds(for: organisation.id, on: sql).breaches(rollUp)
        let register = RiskRegister(context)
        let existing = try await Risk.query(on: database).filter(\.$organisation.$id == organisation.id)
            .filter(\.$sourceReference == Self.sourceReference).filter(\.$status == RiskStatus.open.rawValue).first()
        let event = breaches.isEmpty
            ? "On \(today) no threshold is passed: \(rollUp.knownExploited) devices exposed to known-exploited vulnerabilities and \(rollUp.unsupportedOS) on unsupported operating systems, of \(rollUp.devices)."
            : "On \(today): " + breaches.joined(separator: "; ") + ". Patch compliance is \(rollUp.patchCompliancePercent)% of \(rollUp.devices) devices."
        if let existing {
            var input = existing.draftInput
            input.event = event
            _ = try await register.update(existing, input, rationale: "", gapsInControl: existing.gapsInControl, gapsInAssurance: existing.gapsInAssurance)
            return existing.reference
        }
        guard !breaches.isEmpty, let owner = try await context.eligibleOwners().sorted().first else { return nil }
        var input = RiskDraft.Input()
        input.title = "Devices exposed to exploited vulnerabilities or running unsupported systems"
        input.cause = "Security updates not applied within 14 days, and operating systems past their end of support, in the IT estate"
        input.event = event
        input.effect = "Ransomware or other compromise of devices that support patient care, as WannaCry showed in 2017; loss of clinical systems and data"
        input.category = RiskCategory.cyberSecurity.rawValue
        input.owner = owner
        input.source_reference = Self.sourceReference
        input.opened = today.description
        input.initial_likelihood = "4"
        input.initial_consequence = "4"
        input.current_likelihood = "4"
        input.current_consequence = "4"
        input.target_likelihood = "2"
        input.target_consequence = "4"
        return try await register.create(input).reference
    }
}
