import AssureCore

extension AssureModule {
    /// The risk register, its settings and matrices, and the Board Assurance Framework.
    static var risk: AssureModule {
        AssureModule(
            name: "Risk",
            migrations: [CreateRiskRegister(), CreateBoardAssuranceFramework()],
            routes: [RiskPages(), RiskAPI(), BoardAssuranceRoutes(), BoardAssuranceAPI()],
            navigation: [.risks, .baf],
            demoRegion: { app in
                let added = try await DemoSeeder.seedRisks(on: app.db, clock: app.clock)
                return added == 0 ? nil : "\(added) risks"
            },
            access: [
                "GET /organisations/:code/risks": .organisation(.read), "GET /organisations/:code/risks.csv": .organisation(.read),
                "GET /organisations/:code/risks/heat-map": .organisation(.read), "GET /organisations/:code/risks/:risk": .organisation(.read),
                "GET /organisations/:code/risk-settings": .organisation(.read), "POST /organisations/:code/risk-settings": .organisation(.manageSettings),
                "POST /organisations/:code/risk-settings/matrix": .organisation(.manageSettings),
                "GET /organisations/:code/risks/new": .organisation(.createRecord), "POST /organisations/:code/risks/new": .organisation(.createRecord),
                // The matrix's risks belong to someone else, so only those who may change any risk may change them.
                "GET /organisations/:code/risks/:risk/edit": .organisation(.editAnyRecord), "POST /organisations/:code/risks/:risk/edit": .organisation(.editAnyRecord),
                "POST /organisations/:code/risks/:risk/review": .organisation(.editAnyRecord), "POST /organisations/:code/risks/:risk/controls": .organisation(.editAnyRecord),
                "POST /organisations/:code/risks/:risk/actions": .organisation(.editAnyRecord),
                "POST /organisations/:code/risks/:risk/action-status": .organisation(.updateAssignedAction),
                "GET /api/v1/organisations/:code/risks": .organisation(.read), "POST /api/v1/organisations/:code/risks": .organisation(.createRecord),
                "GET /api/v1/organisations/:code/risks/heat-map": .organisation(.read), "GET /api/v1/organisations/:code/risks/:risk": .organisation(.read),
                "PUT /api/v1/organisations/:code/risks/:risk": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/risks/:risk/review": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/risks/:risk/controls": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/risks/:risk/actions": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/risks/:risk/action-status": .organisation(.updateAssignedAction),
                "GET /api/v1/organisations/:code/risk-settings": .organisation(.read), "PUT /api/v1/organisations/:code/risk-settings": .organisation(.manageSettings),
                "GET /organisations/:code/risks/import": .organisation(.editAnyRecord), "POST /organisations/:code/risks/import": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/risks/import": .organisation(.editAnyRecord),
                "GET /api/v1/organisations/:code/risk-matrices": .organisation(.read), "PUT /api/v1/organisations/:code/risk-matrices": .organisation(.manageSettings),
                "GET /organisations/:code/baf": .organisation(.read), "POST /organisations/:code/baf": .organisation(.editAnyRecord),
                "GET /organisations/:code/baf/:objective": .organisation(.read),
                "POST /organisations/:code/baf/:objective/link": .organisation(.editAnyRecord), "POST /organisations/:code/baf/:objective/unlink": .organisation(.editAnyRecord),
                "POST /organisations/:code/baf/:objective/sources": .organisation(.editAnyRecord), "POST /organisations/:code/baf/:objective/rating": .organisation(.editAnyRecord),
                "GET /organisations/:code/escalated-risks": .organisation(.read),
                "GET /api/v1/organisations/:code/baf": .organisation(.read), "POST /api/v1/organisations/:code/baf/objectives": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/baf/objectives/:objective/link": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/baf/objectives/:objective/unlink": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/baf/objectives/:objective/sources": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/baf/objectives/:objective/rating": .organisation(.editAnyRecord),
            ],
            routeParameterExamples: ["risk": "R-0001", "objective": "SO1"],
            apiTags: ["risk": "The risk register, its matrices and settings, and the Board Assurance Framework"],
            indicators: [.risk]
        )
    }
}

extension NavigationSection {
    static let risks = NavigationSection(id: "risks", title: "Risks", position: 20) { .risks($0) }
    static let baf = NavigationSection(id: "baf", title: "Board Assurance Framework", position: 30) { .baf($0) }
}
