import AssureCore

extension AssureModule {
    /// Key indicators and their daily snapshots, the organisation dashboard, the board pack and
    /// regional and national oversight.
    static var performance: AssureModule {
        AssureModule(
            name: "Performance",
            migrations: [CreateKPISnapshots(), CreateKPIPopulations(), KPISnapshotsInColumns()],
            routes: [PerformanceRoutes()],
            commands: [SnapshotCommand.self, ReportCommand.self],
            // The day's key indicators now (the demo's dashboards have a figure at once), then daily.
            serving: { app in KPISchedule.start(on: app) },
            access: [
                "GET /organisations/:code/board-pack": .organisation(.read), "GET /api/v1/organisations/:code/indicators": .organisation(.read),
                "GET /organisations/:code/oversight": .organisation(.readRollUp), "GET /organisations/:code/oversight.csv": .organisation(.readRollUp),
                "GET /api/v1/organisations/:code/oversight": .organisation(.readRollUp),
                "GET /oversight": .national, "GET /oversight.csv": .national, "GET /api/v1/oversight": .national,
            ],
            apiTags: ["performance": "Key indicators, their daily snapshots and oversight roll-ups for ICB, regional and national teams"]
        )
    }
}
