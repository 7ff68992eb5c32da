import CompressNIO
import Foundation
import NIOCore

/// Reads a file that may be gzip-compressed (told by its magic bytes, not its name), a chunk at a
/// time, so a feed of any size passes through constant memory. A truncated or corrupt gzip file is
/// refused: zlib reports corrupt data, and the length in the gzip trailer must match what came out.
enum CompressedFile {
    struct Problem: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static let chunkSize = 1 << 20

    static func isGzip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        return magic.count == 2 && magic[magic.startIndex] == 0x1F && magic[magic.startIndex + 1] == 0x8B
    }

    /// Calls `body` with each piece of the file's (decompressed) contents, in order.
    static func forEachChunk(_ path: String, _ body: (Data) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Problem(message: "\(path) cannot be read") }
        defer { try? handle.close() }
        guard isGzip(path) else {
            while let data = try handle.read(upToCount: chunkSize), !data.isEmpty { try body(data) }
            return
        }
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var window = ByteBufferAllocator().buffer(capacity: chunkSize)
        var produced: UInt64 = 0
        var last4 = Data()
        while let data = try handle.read(upToCount: chunkSize), !data.isEmpty {
            last4 = (last4 + data).suffix(4)
            var input = ByteBuffer(data: data)
            while input.readableBytes > 0 {
                let before = input.readableBytes
                do {
                    try decompressor.inflate(from: &input, to: &window)
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    // The window is full: hand it on and go on.
                } catch let error as CompressNIOError where error == .inputBufferOverflow {
                    // This chunk is used up; read the next.
                } catch let error as CompressNIOError where error == .corruptData {
                    throw Problem(message: "\(path) is not a valid gzip file: the compressed data is corrupt (after \(produced) bytes)")
                }
                let wrote = window.readableBytes
                if wrote > 0 {
                    produced += UInt64(wrote)
                    try body(Data(window.readableBytesView))
                    window.clear()
                }
                // The end of the gzip stream: anything after it is not read.
                if input.readableBytes == before && wrote == 0 { break }
            }
        }
        let trailer = last4.count == 4 ? last4.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } : 0
        guard trailer == UInt32(truncatingIfNeeded: produced) else {
            throw Problem(message: "\(path) is truncated or corrupt: the gzip trailer records \(trailer) bytes but \(produced) came out")
        }
    }

    /// The whole (decompressed) file.
    static func contents(_ path: String) throws -> Data {
        var all = Data()
        try forEachChunk(path) { all.append($0) }
        return all
    }

    /// Each line (without its newline) with its 1-based number; empty lines are skipped.
    static func forEachLine(_ path: String, _ body: (Int, Data) throws -> Void) throws {
        var pending = Data()
        var number = 0
        try forEachChunk(path) { chunk in
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                number += 1
                let line = pending[start..<newline]
                if !line.isEmpty { try body(number, Data(line)) }
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])
        }
        if !pending.isEmpty { number += 1; try body(number, pending) }
    }
}
