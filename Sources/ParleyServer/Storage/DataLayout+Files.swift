import Foundation
import ParleyStore

/// The file operations uploads need, on the data directory's layout (`DataLayout`).
extension DataLayout {
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
}
