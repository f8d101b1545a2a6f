import Foundation
import ParleyStore

/// Where audio lives under the data directory, and the file operations uploads need:
/// `uploads/<id>.part` while an upload is in progress, `audio/<meeting>/original.<ext>`
/// once it is a meeting. Names are always server-made ids, never client strings.
struct AudioStorage: Sendable {
    let root: URL

    var uploads: URL { root.appendingPathComponent("uploads", isDirectory: true) }
    var audio: URL { root.appendingPathComponent("audio", isDirectory: true) }

    /// The data directory and its folders are the server user's alone (0700), also when an
    /// older version made them with the default umask: nothing under them is reachable by
    /// other local users, whatever mode a file inside was given.
    func prepare() throws {
        for directory in [root, uploads, audio] {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        }
    }

    /// A new, empty file only the server user can read (uploads in progress).
    @discardableResult
    static func createPrivateFile(at file: URL) -> Bool {
        FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
    }

    func partialFile(upload id: String) -> URL { uploads.appendingPathComponent("\(id).part") }

    /// Extensions an original keeps on disk: audio and video containers. Others (`m3u8`,
    /// `txt`, `html`) are dropped, so no tool guesses a playlist or a page from the name.
    static let mediaExtensions: Set<String> = [
        "wav", "wave", "mp3", "m4a", "mp4", "aac", "flac", "ogg", "oga", "opus", "webm", "mkv", "mka", "mov",
        "wma", "wmv", "aif", "aiff", "caf", "amr", "3gp", "avi", "wv",
    ]

    /// Relative path of a meeting's original, keeping a media extension for players.
    func originalRelativePath(meeting id: String, originalName: String?) -> String {
        let ext = originalName.map { URL(fileURLWithPath: $0).pathExtension.lowercased() } ?? ""
        return "audio/\(id)/original" + (Self.mediaExtensions.contains(ext) ? ".\(ext)" : "")
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
        try FileDigest.sha256(of: file)
    }
}
