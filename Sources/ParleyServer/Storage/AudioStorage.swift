import Crypto
import Foundation

/// Where audio lives under the data directory, and the file operations uploads need:
/// `uploads/<id>.part` while an upload is in progress, `audio/<meeting>/original.<ext>`
/// once it is a meeting. Names are always server-made ids, never client strings.
struct AudioStorage: Sendable {
    let root: URL

    var uploads: URL { root.appendingPathComponent("uploads", isDirectory: true) }
    var audio: URL { root.appendingPathComponent("audio", isDirectory: true) }

    func prepare() throws {
        for directory in [root, uploads, audio] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    func partialFile(upload id: String) -> URL { uploads.appendingPathComponent("\(id).part") }

    /// Relative path of a meeting's original, keeping a safe extension for players.
    func originalRelativePath(meeting id: String, originalName: String?) -> String {
        let ext = originalName.map { URL(fileURLWithPath: $0).pathExtension.lowercased() } ?? ""
        let safe = ext.count <= 5 && !ext.isEmpty && ext.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return "audio/\(id)/original" + (safe ? ".\(ext)" : "")
    }

    func url(relative path: String) -> URL { root.appendingPathComponent(path) }

    func meetingDirectory(_ id: String) -> URL { audio.appendingPathComponent(id, isDirectory: true) }

    /// Bytes on disk: the truth for a tus upload's offset, even after a crash mid-write.
    func size(of file: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Moves a finished upload into the meeting's folder.
    func adopt(_ partial: URL, as relativePath: String) throws {
        let target = url(relative: relativePath)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.moveItem(at: partial, to: target)
    }

    /// SHA-256 of a file, read in 1 MiB pieces so memory does not grow with its size.
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
