import Crypto
import Foundation

/// What one backup snapshot holds: the database copy and every audio file, each by SHA-256.
/// Written last, so a snapshot folder without a manifest is an unfinished backup (a crash, a
/// full disk) and never mistaken for a complete one.
public struct BackupManifest: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// Relative to the data directory, e.g. `audio/<meeting>/original.wav`.
        public var path: String
        public var sha256: String
        public var size: Int64
        /// The file's modification time when hashed: lets the next backup skip re-reading it.
        public var modified: Double
    }

    public static let currentFormat = 1

    public var format: Int
    public var createdAt: String
    /// The last migration the database copy has (`ParleyDatabase.schemaVersion`).
    public var schema: String
    public var databaseSHA256: String
    public var meetings: Int
    public var files: [Entry]

    enum CodingKeys: String, CodingKey {
        case format, schema, meetings, files
        case createdAt = "created_at"
        case databaseSHA256 = "database_sha256"
    }

    static let fileName = "manifest.json"
    static let databaseName = "parley.sqlite"
}

/// A backup folder: `objects/ab/<sha256>` holds each distinct audio file once (so a second
/// backup copies only new audio), `snapshots/<time>/` a database copy and its manifest.
public struct BackupLocation: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    var objects: URL { root.appendingPathComponent("objects", isDirectory: true) }
    var snapshots: URL { root.appendingPathComponent("snapshots", isDirectory: true) }

    func object(_ sha256: String) -> URL {
        objects.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true).appendingPathComponent(sha256)
    }

    /// Complete snapshots (those with a manifest), oldest first.
    public func completeSnapshots() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: snapshots.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: snapshots, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent(BackupManifest.fileName).path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func manifest(of snapshot: URL) throws -> BackupManifest {
        let data = try Data(contentsOf: snapshot.appendingPathComponent(BackupManifest.fileName))
        return try JSONDecoder().decode(BackupManifest.self, from: data)
    }
}

/// SHA-256 of a file in 1 MiB pieces, so memory does not grow with its size.
public enum FileDigest {
    public static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
