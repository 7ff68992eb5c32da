import AssureCore

extension AssureModule {
    /// The tamper-evident audit trail every change writes to, its checkpoints and its verification.
    static var audit: AssureModule {
        AssureModule(
            name: "Audit",
            migrations: [CreateAuditTrail(), CreateAuditCheckpoints()],
            routes: [AuditTrailRoutes(), AuditAPI()],
            commands: [AuditCommand.self],
            navigation: [.auditTrail],
            access: [
                "GET /organisations/:code/audit": .organisation(.readAuditTrail), "GET /organisations/:code/audit.csv": .organisation(.readAuditTrail),
                "GET /api/v1/organisations/:code/audit": .organisation(.readAuditTrail),
            ],
            apiTags: ["audit": "The tamper-evident audit trail"]
        )
    }
}

extension NavigationSection {
    // Only auditors (in that organisation) and system administrators read an audit trail, and
    // neither depends on the organisations above, so no ancestry is needed to decide the link.
    static let auditTrail = NavigationSection(id: "audit-trail", title: "Audit trail", position: 70,
                                              isShown: { memberships, code, _ in AccessPolicy.allows(memberships, .readAuditTrail, on: code, ancestors: []) }) {
        .auditTrail($0)
    }
}
