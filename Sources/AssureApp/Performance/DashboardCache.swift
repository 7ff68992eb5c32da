import AssureCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The dashboard's figures for an organisation, rendered once and kept while nothing has changed.
/// Every change Assure makes is audited in its own transaction, so the audit chain's sequence
/// moves with any change anywhere: an entry is keyed by it, and by the minute, so what changes
/// without an audit entry (the daily snapshot, alerts falling overdue by the hour) shows within a
/// minute. Each instance keeps its own; the key is read from the shared database, so instances agree.
final class DashboardCache: Sendable {
    struct Key: Hashable {
        var organisation: UUID
        var auditSequence: Int64
        var minute: Int64
        var today: CalendarDay
    }

    static let capacity = 2_000
    /// The dashboard's sections by key, rendered through the one escaping path.
    private let entries = NIOLockedValueBox<[Key: String]>([:])

    func entry(_ key: Key) -> String? { entries.withLockedValue { $0[key] } }

    func store(_ entry: String, for key: Key) {
        entries.withLockedValue { all in
            // A new audit sequence makes every older key unreachable; drop them all at the limit.
            if all.count >= Self.capacity { all.removeAll(keepingCapacity: true) }
            all[key] = entry
        }
    }

    /// The organisation's dashboard sections: kept ones when nothing has changed, else read and rendered.
    func sections(_ context: OrganisationContext, frameworks: FrameworkLibrary) async throws -> String {
        let key = try await Self.key(for: context)
        if let kept = entry(key) { return kept }
        let (settings, matrix) = try await RiskRegister.configuration(of: context.organisation.id, on: context.database)
        let dashboard = try await OrganisationDashboard.load(context, settings: settings, matrix: matrix, frameworks: frameworks)
        let html = DashboardView.sections(dashboard, matrix: matrix, code: context.organisation.odsCode).render()
        store(html, for: key)
        return html
    }

    /// The key for an organisation now: one small read of the audit chain's head.
    static func key(for context: OrganisationContext) async throws -> Key {
        let row = try await context.database.sqlDatabase.raw("SELECT sequence FROM audit_chain_head WHERE id = 1").first()
        let sequence = try row?.decode(column: "sequence", as: Int64.self) ?? 0
        return Key(organisation: context.organisation.id, auditSequence: sequence,
                   minute: Int64(context.clock.now().timeIntervalSince1970 / 60), today: context.today)
    }
}

struct DashboardCacheKey: StorageKey { typealias Value = DashboardCache }

extension Application {
    /// Set once in `configure`; an application without one caches nothing.
    var dashboardCache: DashboardCache {
        get { storage[DashboardCacheKey.self] ?? DashboardCache() }
        set { storage[DashboardCacheKey.self] = newValue }
    }
}
