import AssureCore

extension AssureModule {
    /// The device estate, the vulnerability and end-of-life knowledge base, its analysis, and
    /// national cyber alerts with each organisation's response.
    static var estate: AssureModule {
        AssureModule(
            name: "Estate",
            migrations: [CreateEstate(), CreateEstateTitleFindings(), CreateEstateStaging(), KeepSoftwareInSets(), PublishAnalysesByPointer()],
            routes: [EstateRoutes(), EstateAPI()],
            commands: [KnowledgeBaseCommand.self, EstateCommand.self],
            demoCommands: [DemoEstateCommand.self],
            navigation: [.estate],
            startUp: { app in
                // Imports and analyses a stopped server left half-done are cleared before anyone reads.
                try await EstateStaging.sweep(on: app.db, now: app.clock.now())
                try await AnalysisPublication.sweep(on: app.db, now: app.clock.now())
            },
            demoRegion: { app in
                try await DemoEstate.seedOnce(on: app)
                return nil
            },
            access: [
                "GET /organisations/:code/estate": .organisation(.read), "POST /organisations/:code/estate/import": .organisation(.editAnyRecord),
                "POST /organisations/:code/estate/analyse": .organisation(.editAnyRecord), "POST /organisations/:code/estate/settings": .organisation(.manageSettings),
                "GET /organisations/:code/estate/devices": .organisation(.read), "GET /organisations/:code/estate/devices.csv": .organisation(.read),
                "GET /organisations/:code/estate/devices/:device": .organisation(.read), "GET /organisations/:code/estate/vulnerabilities/:cve": .organisation(.read),
                "GET /organisations/:code/estate/unmapped": .organisation(.read), "POST /estate/title-rules": .system(.administerSystem),
                "GET /organisations/:code/cyber-alerts": .organisation(.read), "POST /organisations/:code/cyber-alerts/:alert": .organisation(.editAnyRecord),
                "POST /cyber-alerts": .system(.administerSystem),
                "GET /api/v1/organisations/:code/estate": .organisation(.read), "GET /api/v1/organisations/:code/estate/devices": .organisation(.read),
                "GET /api/v1/organisations/:code/estate/devices/:device": .organisation(.read),
                "GET /api/v1/organisations/:code/estate/vulnerabilities/:cve": .organisation(.read),
                "POST /api/v1/organisations/:code/estate/import": .organisation(.editAnyRecord), "POST /api/v1/organisations/:code/estate/analyse": .organisation(.editAnyRecord),
                "GET /api/v1/organisations/:code/cyber-alerts": .organisation(.read), "POST /api/v1/organisations/:code/cyber-alerts/:alert": .organisation(.editAnyRecord),
                "POST /api/v1/cyber-alerts": .system(.administerSystem),
            ],
            routeParameterExamples: ["device": "matrix-device", "cve": "CVE-2019-0708", "alert": "CC-MATRIX"],
            apiTags: ["estate": "Devices, software, vulnerabilities, end of life and high severity cyber alerts"],
            indicators: [.estate]
        )
    }
}

extension NavigationSection {
    static let estate = NavigationSection(id: "estate", title: "Estate", position: 50) { .estate($0) }
}
