import Fluent
import SQLKit

/// SQLite has a single writer: two pooled connections that both start writing collide with
/// "database is locked". Assure on SQLite is one process, so it queues its own write transactions
/// here; PostgreSQL runs them concurrently and relies on its row locks.
actor SQLiteWriteGate {
    static let shared = SQLiteWriteGate()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension Database {
    /// A transaction for changes: queued behind other writers on SQLite, concurrent on PostgreSQL.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard try sqlDatabase.dialect.name == "sqlite" else { return try await transaction(body) }
        await SQLiteWriteGate.shared.acquire()
        do {
            let result = try await transaction(body)
            await SQLiteWriteGate.shared.release()
            return result
        } catch {
            await SQLiteWriteGate.shared.release()
            throw error
        }
    }
}
