import Crypto
import Foundation
import GRDB
import ParleyCore

/// The local library: recordings, their files, and their status machine.
public struct Library: Sendable {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case illegalTransition(from: MeetingStatus, to: MeetingStatus, id: String)
        case unknownRecording(String)
        case ambiguous(String)
        case unreadable(path: String, reason: String)

        public var description: String {
            switch self {
            case .illegalTransition(let from, let to, let id): "recording \(id.prefix(8)) cannot go from \(from.rawValue) to \(to.rawValue)"
            case .unknownRecording(let id): "no recording \(id)"
            case .ambiguous(let id): "\(id) matches several recordings; give more of the id"
            case .unreadable(let path, let reason): "\(path): \(reason)"
            }
        }
    }

    public let home: URL
    public let database: LibraryDatabase

    /// Opens (creating if needed) the library under `home`.
    public init(home: URL) throws {
        self.home = home
        try FileManager.default.createDirectory(at: home.appendingPathComponent("audio"), withIntermediateDirectories: true)
        database = try LibraryDatabase(path: home.appendingPathComponent("library.sqlite").path)
    }

    /// `--home`, else `$PARLEY_HOME`, else `$XDG_DATA_HOME/parley`, else `~/.local/share/parley`.
    public static func defaultHome(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["PARLEY_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        let base =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
        return base.appendingPathComponent("parley")
    }

    public func all() async throws -> [RecordingRecord] {
        try await database.pool.read { db in try RecordingRecord.order(Column("created_at").desc).fetchAll(db) }
    }

    public func recording(id: String) async throws -> RecordingRecord? {
        try await database.pool.read { db in try RecordingRecord.fetchOne(db, key: id) }
    }

    /// A recording by id, id prefix (≥ 4 characters), or server meeting id.
    public func find(_ reference: String) async throws -> RecordingRecord {
        let matches = try await database.pool.read { db in
            try RecordingRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM recording WHERE id = ? OR server_id = ? OR (length(?) >= 4 AND (id LIKE ? OR server_id LIKE ?))
                    """, arguments: [reference, reference, reference, reference + "%", reference + "%"])
        }
        if let exact = matches.first(where: { $0.id == reference || $0.serverId == reference }) { return exact }
        guard matches.count <= 1 else { throw Failure.ambiguous(reference) }
        guard let only = matches.first else { throw Failure.unknownRecording(reference) }
        return only
    }

    public func recordings(in statuses: Set<MeetingStatus>) async throws -> [RecordingRecord] {
        try await database.pool.read { db in
            try RecordingRecord.filter(statuses.map(\.rawValue).contains(Column("status"))).order(Column("created_at")).fetchAll(db)
        }
    }

    /// Moves a recording to `next`, refusing transitions the status machine does not allow.
    /// The change and its history row are written before the caller acts on it.
    @discardableResult
    public func transition(
        _ id: String, to next: MeetingStatus, reason: String? = nil, _ change: @Sendable (inout RecordingRecord) -> Void = { _ in }
    ) async throws -> RecordingRecord {
        try await database.pool.write { db in
            guard var recording = try RecordingRecord.fetchOne(db, key: id) else { throw Failure.unknownRecording(id) }
            let previous = recording.status
            guard previous == next || previous.canTransition(to: next) else {
                throw Failure.illegalTransition(from: previous, to: next, id: id)
            }
            recording.status = next
            change(&recording)
            recording.updatedAt = Date().timeIntervalSince1970
            try recording.update(db)
            if previous != next {
                try db.execute(
                    sql: """
                        INSERT INTO status_change (recording_id, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?)
                        """, arguments: [id, previous.rawValue, next.rawValue, reason, recording.updatedAt])
            }
            return recording
        }
    }

    /// Changes fields other than the status (progress, cached results).
    @discardableResult
    public func update(_ id: String, _ change: @Sendable (inout RecordingRecord) -> Void) async throws -> RecordingRecord {
        try await database.pool.write { db in
            guard var recording = try RecordingRecord.fetchOne(db, key: id) else { throw Failure.unknownRecording(id) }
            let status = recording.status
            change(&recording)
            recording.status = status
            try recording.update(db)
            return recording
        }
    }

    public func history(_ id: String) async throws -> [StatusChange] {
        try await database.pool.read { db in
            try StatusChange.fetchAll(
                db,
                sql: """
                    SELECT from_status, to_status, reason, at FROM status_change WHERE recording_id = ? ORDER BY id
                    """, arguments: [id])
        }
    }

    /// SHA-256 of a file, read in 1 MiB pieces.
    public static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
