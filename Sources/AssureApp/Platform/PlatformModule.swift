import AssureCore
import Vapor

extension AssureModule {
    /// What every domain stands on: the home page, the stylesheet, health and metrics, the API
    /// description, reference numbers, and the commands that run or look after the whole service.
    static var platform: AssureModule {
        AssureModule(
            name: "Platform",
            routes: [SiteRoutes(), OperationsRoutes(), OpenAPIDocument()],
            commands: [AssureServeCommand.self, AssureMigrateCommand.self, DemoCommand.self, BackupCommand.self, RestoreCommand.self],
            demoCommands: [DemoNationalCommand.self],
            startUp: { app in TemporaryFiles.sweep(app.assureConfiguration, logger: app.logger) },
            access: [
                "GET /": .open,
                "GET /healthz": .open, "GET /readyz": .open, "GET /metrics": .open,
                "GET /assets/\(AssureStylesheet.fingerprint.isEmpty ? "" : "assure-\(AssureStylesheet.fingerprint).css")": .open,
                "GET /api/v1/openapi.json": .open,
            ],
            apiTags: ["operations": "Health, readiness and the API description"]
        )
    }
}
