import Crypto
import Foundation
import NIOPosix
import Vapor

/// Evidence files under the data directory, named by the SHA-256 of their contents: the same file
/// uploaded twice (or by two organisations) is kept once, and no uploaded name ever reaches the
/// file system, so a name cannot choose where a file lands.
struct EvidenceStore: Sendable {
    let directory: String
    /// Hashing and writing a file of up to the upload limit blocks, so it runs off the event loop.
    let threadPool: NIOThreadPool

    init(dataDirectory: String, threadPool: NIOThreadPool) {
        directory = (dataDirectory as NSString).appendingPathComponent("evidence")
        self.threadPool = threadPool
    }

    static func digest(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// Only a 64-character lower-case hex digest becomes a path.
    func path(for digest: String) -> String? {
        guard digest.count == 64, digest.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return "\(directory)/\(digest.prefix(2))/\(digest)"
    }

    /// Writes the file unless it is already kept; `created` says whether this call wrote it.
    func save(_ data: Data) async throws -> (digest: String, created: Bool) {
        try await threadPool.runIfActive { try saveBlocking(data) }
    }

    private func saveBlocking(_ data: Data) throws -> (digest: String, created: Bool) {
        let digest = Self.digest(data)
        guard let path = path(for: digest) else { throw CocoaError(.fileWriteInvalidFileName) }
        if FileManager.default.fileExists(atPath: path) { return (digest, false) }
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Written beside its final name and renamed, so a reader never sees half a file.
        let partial = "\(path).\(UUID().uuidString).partial"
        try data.write(to: URL(fileURLWithPath: partial))
        do {
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        } catch where FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: partial)  // another upload of the same file won the race
            return (digest, false)
        }
        return (digest, true)
    }

    /// Removes kept files that no record refers to and that are older than `grace` (an upload
    /// still being recorded is younger), and half-written files left by a crash. Returns how many.
    func removeOrphans(referenced: Set<String>, olderThan grace: TimeInterval = 3600, now: Date) async throws -> Int {
        try await threadPool.runIfActive {
            let files = FileManager.default
            guard let folders = try? files.contentsOfDirectory(atPath: directory) else { return 0 }
            var removed = 0
            for folder in folders where folder.count == 2 {
                let folderPath = "\(directory)/\(folder)"
                for name in (try? files.contentsOfDirectory(atPath: folderPath)) ?? [] {
                    let path = "\(folderPath)/\(name)"
                    let digest = name.hasSuffix(".partial") ? "" : name
                    guard !referenced.contains(digest),
                          let modified = (try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                          now.timeIntervalSince(modified) > grace else { continue }
                    if (try? files.removeItem(atPath: path)) != nil { removed += 1 }
                }
            }
            return removed
        }
    }
}

extension Request {
    /// An evidence file, for the page's download link and the API alike: streamed from disk (not
    /// read into memory), with its own content type and a download name.
    func evidenceFile(_ evidence: Evidence) async throws -> Response {
        let store = EvidenceStore(dataDirectory: application.assureConfiguration.dataDirectory, threadPool: application.threadPool)
        guard evidence.evidenceKind == .file, let digest = evidence.fileSHA256, let path = store.path(for: digest),
              FileManager.default.fileExists(atPath: path) else {
            throw AssureError.notFound("\(evidence.reference) has no stored file")
        }
        let response = try await fileio.asyncStreamFile(at: path)
        response.headers.replaceOrAdd(name: .contentType, value: evidence.contentType ?? "application/octet-stream")
        let name = evidence.fileName ?? "\(evidence.reference).bin"
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0.value >= 32 ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: .eTag, value: "\"\(digest)\"")
        return response
    }
}
