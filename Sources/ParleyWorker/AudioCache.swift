import Crypto
import Foundation

/// The audio a worker downloaded, by SHA-256: a meeting's transcribe and diarize jobs (and
/// re-runs) fetch it once. A download resumes where a cut-off one stopped (Range), is
/// checked against the meeting's hash before use, and the oldest files go once the cache
/// passes its size. The decoded PCM sits beside the original and counts towards the size.
actor AudioCache {
    let directory: URL
    let limitBytes: Int64

    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    init(directory: URL, limitBytes: Int64) {
        self.directory = directory
        self.limitBytes = limitBytes
    }

    func original(sha256: String) -> URL { directory.appendingPathComponent("\(sha256).audio") }
    func pcm(sha256: String) -> URL { directory.appendingPathComponent("\(sha256).wav") }

    /// The verified original, downloaded with `fetch(offset, handle)` unless cached.
    func file(
        sha256: String, size: Int64, fetch: @Sendable (Int64, FileHandle) async throws -> Void
    ) async throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = original(sha256: sha256)
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: target.path)
            return target
        }
        let partial = directory.appendingPathComponent("\(sha256).part")
        if !FileManager.default.fileExists(atPath: partial.path) {
            FileManager.default.createFile(atPath: partial.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: partial)
        let offset = try handle.seekToEnd()
        do {
            if Int64(offset) < size || size == 0 { try await fetch(Int64(offset), handle) }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard try Self.sha256(of: partial) == sha256 else {
            try? FileManager.default.removeItem(at: partial)
            throw Mismatch(description: "the downloaded audio does not match the meeting's SHA-256; it will be fetched again")
        }
        try FileManager.default.moveItem(at: partial, to: target)
        evict(keeping: sha256)
        return target
    }

    /// Deletes the least recently used files until the cache fits, never those of `keeping`.
    func evict(keeping sha256: String) {
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        guard
            let files = try? FileManager.default.contentsOfDirectory(
                at: directory, includingPropertiesForKeys: keys)
        else { return }
        var entries = files.compactMap { url -> (url: URL, size: Int64, date: Date)? in
            guard let values = try? url.resourceValues(forKeys: Set(keys)) else { return nil }
            return (url, Int64(values.fileSize ?? 0), values.contentModificationDate ?? .distantPast)
        }
        var total = entries.reduce(0) { $0 + $1.size }
        entries.sort { $0.date < $1.date }
        for entry in entries where total > limitBytes && !entry.url.lastPathComponent.hasPrefix(sha256) {
            try? FileManager.default.removeItem(at: entry.url)
            total -= entry.size
        }
    }

    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
