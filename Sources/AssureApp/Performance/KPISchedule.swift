import ArgumentParser
import AssureCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The daily snapshot of every organisation, taken by whichever serving instance claims the
/// day first. The claim is a row in `kpi_runs`, written under a PostgreSQL advisory lock (so two
/// instances never both claim) or SQLite's single writer; a run that died is claimed again after
/// an hour, and a failed one at the next check.
enum KPISchedule {
    static let advisoryLock = 2_026_112_207
    static let staleAfter: TimeInterval = 3600

    struct Run: Sendable { var day: String; var organisations: Int; var seconds: Double }

    /// Takes today's snapshot unless another instance has (or is); nil when there was nothing to do.
    static func runIfDue(on app: Application, now: Date) async throws -> Run? {
        let day = CalendarDay.inEngland(now)
        guard try await claim(day.description, on: app.db, now: now) else { return nil }
        do {
            let run = try await snapshotAll(on: app, day: day, now: now)
            // The day's signed audit checkpoint, kept and logged beside the snapshot.
            _ = try await AuditCheckpoints.write(on: app, now: now)
            try await (try app.db.sqlDatabase).update("kpi_runs").set("status", to: "done").set("finished_at", to: now)
                .set("organisations", to: run.organisations).where("day", .equal, day.description).run()
            return run
        } catch {
            try? await (try app.db.sqlDatabase).update("kpi_runs").set("status", to: "failed").where("day", .equal, day.description).run()
            throw error
        }
    }

    /// Every organisation's figures for the day.
    static func snapshotAll(on app: Application, organisations: [UUID]? = nil, day: CalendarDay, now: Date,
                            progress: (any JobProgress)? = nil) async throws -> Run {
        let started = ContinuousClock.now
        let ids: [UUID]
        if let organisations { ids = organisations } else {
            ids = try await (try app.db.sqlDatabase).raw("SELECT id FROM organisations").all().map { try $0.decode(column: "id", as: UUID.self) }
        }
        progress?.begin("Taking key indicators", total: ids.count)
        try await KPISnapshotter(database: app.db, frameworks: app.frameworks, today: day, now: now).snapshot(ids, progress: progress)
        progress?.begin("Refreshing the oversight populations", total: nil)
        try await OversightQuery.refreshPopulations(day: day, now: now, on: app.db)
        let elapsed = ContinuousClock.now - started
        return Run(day: day.description, organisations: ids.count, seconds: elapsed.seconds)
    }

    static func claim(_ day: String, on database: any Database, now: Date) async throws -> Bool {
        try await database.writeTransaction { db in
            let sql = try db.sqlDatabase
            if sql.dialect.name == "postgresql" { try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(advisoryLock)))").run() }
            if let row = try await sql.raw("SELECT status, started_at FROM kpi_runs WHERE day = \(bind: day)").first() {
                let status = try row.decode(column: "status", as: String.self), started = try row.decode(column: "started_at", as: Date.self)
                if status == "done" || (status == "running" && now.timeIntervalSince(started) < staleAfter) { return false }
                try await sql.raw("DELETE FROM kpi_runs WHERE day = \(bind: day)").run()
            }
            try await sql.insert(into: "kpi_runs").columns("day", "status", "started_at").values(SQLBind(day), SQLBind("running"), SQLBind(now)).run()
            return true
        }
    }

    /// Checks hourly while serving; stops when the application shuts down.
    static func start(on app: Application) {
        let handler = Scheduler(app: app)
        app.lifecycle.use(handler)
        handler.begin()
    }

    final class Scheduler: LifecycleHandler, @unchecked Sendable {
        let app: Application
        private var task: Task<Void, Never>?

        init(app: Application) { self.app = app }

        func begin() {
            let app = self.app
            task = Task {
                while !Task.isCancelled {
                    do {
                        if let run = try await KPISchedule.runIfDue(on: app, now: app.clock.now()) {
                            app.logger.notice("Key indicators snapshot for \(run.day): \(run.organisations) organisations in \(String(format: "%.1f", run.seconds)) s")
                        }
                    } catch {
                        app.logger.error("Key indicators snapshot failed: \(String(describing: error))")
                    }
                    try? await Task.sleep(for: .seconds(3600))
                }
            }
        }

        /// Waits for a snapshot under way to finish before the database closes.
        func shutdownAsync(_ application: Application) async {
            task?.cancel()
            await task?.value
        }
    }
}

/// `assure snapshot [--org CODE]`: takes the key indicators now.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Takes today's key indicators of every organisation (or of one and those below it), replacing any taken earlier today.")

    @CommandOptions var storage: StorageOptions
    @CommandOptions var output: OutputOptions

    @CommandOption(name: .customLong("org"), help: "One organisation's ODS code: it and every organisation below it (every organisation when left out).")
    var organisation: String?

    struct Summary: Encodable { var day: String; var organisations: Int; var seconds: Double }

    func run() async throws {
        let (output, code) = (output.output, organisation?.uppercased())
        try await CommandSession.run(storage) { app in
            try await app.reloadFrameworks()
            var organisations: [UUID]?
            if let code {
                let directory = OrganisationDirectory(database: app.db)
                guard let organisation = try await directory.ancestry(of: code).last else {
                    throw CommandFailure(message: "snapshot: no organisation has the ODS code '\(code)'")
                }
                organisations = [organisation.id] + (try await directory.descendants(of: code)).map(\.record.id)
            }
            let now = app.clock.now()
            let progress = output.progress("Taking key indicators", unit: "organisations")
            let run = try await KPISchedule.snapshotAll(on: app, organisations: organisations, day: CalendarDay.inEngland(now), now: now, progress: progress)
            progress.finish()
            output.say("Key indicators snapshot for \(CalendarDay.nhsStyle(run.day)): \(Words.count(run.organisations, "organisation")) in \(String(format: "%.1f", run.seconds)) s")
            try output.summary(Summary(day: run.day, organisations: run.organisations, seconds: run.seconds))
        }
    }
}
