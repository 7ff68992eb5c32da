import AssureCore
import NIOCore
import NIOPosix
import Vapor

/// Bodies are read only once the handler knows who is asking and that they may (routes that take
/// more than the 1 MB default are registered with `body: .stream`, so nothing is read before),
/// and never past their limit. A large upload goes to a temporary file, not memory.
extension Request {
    /// The whole body, at most `max` bytes (413 beyond). Call after authorising.
    func bodyAfterAuthorisation(max: Int) async throws -> ByteBuffer {
        if let data = body.data { return data }
        return try await body.collect(max: max).get() ?? ByteBuffer()
    }

    /// A form or API upload with a file (`multipart/form-data`), read whole: up to the evidence
    /// limit with room for the other fields, so an oversized file is refused by name rather than by
    /// the body limit, and never less than 10 MB. Call after authorising.
    func uploadAfterAuthorisation() async throws {
        _ = try await bodyAfterAuthorisation(max: max(10 * 1_048_576, application.assureConfiguration.evidenceMaxBytes + 1_048_576))
    }

    /// The body as UTF-8 text, refused with the line and byte where it is not.
    func utf8Body(max: Int) async throws -> String {
        try UTF8Text.checked(try await bodyAfterAuthorisation(max: max), field: "body")
    }

    /// Streams the body into a temporary file under the data directory, at most `max` bytes, runs
    /// `work` with its path and removes the file on every way out. Call after authorising.
    func withBodyInTemporaryFile<T>(max: Int, _ work: (String) async throws -> T) async throws -> T {
        let path = try TemporaryFiles.newPath(in: application.assureConfiguration, suffix: "upload")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try await application.fileio.openFile(path: path, mode: .write, flags: .allowFileCreation(posixMode: 0o600), eventLoop: eventLoop).get()
        do {
            var written = 0
            for try await chunk in body {
                written += chunk.readableBytes
                guard written <= max else {
                    throw AssureError(status: .payloadTooLarge, title: "Too large",
                                      detail: "The upload is larger than \(max / 1_048_576) MB. Split it, or import it with the assure command.")
                }
                try await application.fileio.write(fileHandle: handle, buffer: chunk, eventLoop: eventLoop).get()
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        return try await work(path)
    }
}

extension UTF8Text {
    /// Text from an uploaded buffer, or 422 naming the field, line and byte.
    static func checked(_ buffer: ByteBuffer, field: String) throws -> String {
        switch decode(buffer.readableBytesView) {
        case .success(let text): return text
        case .failure(let invalid):
            throw AssureError.invalid([ImportProblem(line: invalid.line, field: field, message: invalid.description)])
        }
    }
}

/// Temporary files live in the data directory's `tmp` folder, so the start after a crash can
/// sweep away whatever a killed import left there.
enum TemporaryFiles {
    static func directory(_ configuration: AssureConfiguration) -> String {
        (configuration.dataDirectory as NSString).appendingPathComponent("tmp")
    }

    static func newPath(in configuration: AssureConfiguration, suffix: String) throws -> String {
        let folder = directory(configuration)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return "\(folder)/\(UUID().uuidString).\(suffix)"
    }

    /// At `serve`, before any request: nothing in the folder belongs to a live import.
    static func sweep(_ configuration: AssureConfiguration, logger: Logger) {
        let folder = directory(configuration)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder), !names.isEmpty else { return }
        for name in names { try? FileManager.default.removeItem(atPath: "\(folder)/\(name)") }
        logger.notice("Removed \(names.count) temporary file(s) left by an earlier run")
    }
}
