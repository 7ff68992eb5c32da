import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file written whole or not at all: beside its final name first, then renamed over it in one
/// `rename(2)`, so a reader never sees half of it and a failure leaves nothing behind.
enum WholeFile {
    /// `command` names who is writing, for the message ("report board", "audit checkpoint").
    static func write(_ data: Data, to path: String, command: String) throws {
        let destination = URL(fileURLWithPath: path)
        let partial = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try data.write(to: partial)
            guard rename(partial.path, destination.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw CommandFailure(message: "\(command): cannot write \(path) (\(error.localizedDescription)). No file was written.")
        }
    }
}
