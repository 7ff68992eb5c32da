import AssureCore

extension AssureModule {
    /// Framework libraries (DSPT, CAF, Cyber Essentials, DTAC, DCB0129/0160), assessments against
    /// them, the evidence library and the automated checks.
    static var compliance: AssureModule {
        AssureModule(
            name: "Compliance",
            migrations: [CreateAssessments(), CreateFrameworkImports(), CreateEvidenceLibrary(), AddResultIndicators(), AddResultRecordedBy()],
            routes: [AssessmentRoutes(), EvidenceRoutes(), EvidenceAPI(), AssessmentAPI()],
            commands: [FrameworksCommand.self],
            navigation: [.compliance],
            startUp: { app in
                try await EvidenceStore.collectOrphans(on: app)
                try await app.reloadFrameworks()
            },
            // After the estate, so the automated checks run on the demo DSPT see the devices.
            demoRegion: { app in
                let assessments = try await DemoSeeder.seedAssessments(on: app)
                let evidence = try await DemoSeeder.seedEvidence(on: app)
                return assessments + evidence == 0 ? nil : "\(assessments) assessments and \(evidence) pieces of evidence"
            },
            access: [
                "GET /organisations/:code/assessments": .organisation(.read), "POST /organisations/:code/assessments": .organisation(.editAnyRecord),
                "GET /organisations/:code/assessments/:assessment": .organisation(.read),
                "GET /organisations/:code/assessments/:assessment/items/:item": .organisation(.read),
                // The matrix's results belong to no one, so only those who may change any record may record them.
                "POST /organisations/:code/assessments/:assessment/items/:item": .organisation(.editAnyRecord),
                "GET /api/v1/frameworks": .signedIn, "GET /api/v1/frameworks/:framework": .signedIn,
                "GET /api/v1/organisations/:code/assessments": .organisation(.read), "POST /api/v1/organisations/:code/assessments": .organisation(.editAnyRecord),
                "GET /api/v1/organisations/:code/assessments/:assessment": .organisation(.read),
                "PUT /api/v1/organisations/:code/assessments/:assessment/items/:item": .organisation(.editAnyRecord),
                "POST /organisations/:code/assessments/copy": .organisation(.editAnyRecord),
                "GET /organisations/:code/compliance-positions": .organisation(.read), "GET /api/v1/organisations/:code/compliance-positions": .organisation(.read),
                "POST /organisations/:code/assessments/:assessment/checks": .organisation(.editAnyRecord),
                "GET /organisations/:code/assessments/:assessment/report": .organisation(.read),
                "GET /organisations/:code/assessments/:assessment/results.csv": .organisation(.read),
                "GET /organisations/:code/assessments/:assessment/oscal.json": .organisation(.read),
                "POST /organisations/:code/assessments/:assessment/items/:item/evidence": .organisation(.editAnyRecord),
                "POST /organisations/:code/assessments/:assessment/items/:item/evidence/remove": .organisation(.editAnyRecord),
                "GET /organisations/:code/evidence": .organisation(.read),
                "POST /organisations/:code/evidence/upload": .organisation(.createRecord), "POST /organisations/:code/evidence/link": .organisation(.createRecord),
                "GET /organisations/:code/evidence/:evidence": .organisation(.read),
                // The matrix's evidence belongs to someone else, so only those who may change any record may change it.
                "POST /organisations/:code/evidence/:evidence": .organisation(.editAnyRecord),
                "POST /organisations/:code/evidence/:evidence/approval": .organisation(.approve),
                "GET /organisations/:code/evidence/:evidence/file": .organisation(.read),
                "GET /api/v1/organisations/:code/evidence": .organisation(.read), "POST /api/v1/organisations/:code/evidence": .organisation(.createRecord),
                "GET /api/v1/organisations/:code/evidence/:evidence": .organisation(.read),
                "POST /api/v1/organisations/:code/evidence/:evidence/approval": .organisation(.approve),
                "GET /api/v1/organisations/:code/evidence/:evidence/file": .organisation(.read),
                "POST /api/v1/organisations/:code/assessments/:assessment/items/:item/evidence": .organisation(.editAnyRecord),
                "DELETE /api/v1/organisations/:code/assessments/:assessment/items/:item/evidence/:evidence": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/assessments/:assessment/checks": .organisation(.editAnyRecord),
                "POST /api/v1/organisations/:code/assessments/:assessment/copy": .organisation(.editAnyRecord),
                "GET /api/v1/organisations/:code/assessments/:assessment/oscal": .organisation(.read),
            ],
            routeParameterExamples: ["assessment": "A1", "item": "A2.a", "framework": "ncsc-caf@3.2", "evidence": "E1"],
            apiTags: ["compliance": "Frameworks (DSPT, CAF, Cyber Essentials and more), assessments, evidence and automated checks"],
            indicators: [.compliance]
        )
    }
}

extension NavigationSection {
    static let compliance = NavigationSection(id: "compliance", title: "Compliance", position: 40) { .assessments($0) }
}
