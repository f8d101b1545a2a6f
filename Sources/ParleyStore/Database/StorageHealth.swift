import Foundation
import GRDB
import ParleyCore

/// What `parley doctor` asks of the stored data, read in one transaction from a read-only
/// connection: integrity, audio files against meetings, jobs past their lease.
public struct StorageHealth: Sendable, Equatable {
    /// `PRAGMA integrity_check`: `["ok"]` when sound.
    public var integrity: [String]
    public var meetings: Int
    public var meetingsWithoutAudio: [String]
    /// Folders under `audio/` whose meeting no longer exists.
    public var foldersWithoutMeeting: [String]
    /// `meeting/stage` of running jobs whose lease ran out more than `grace` seconds ago.
    public var stuckJobs: [String]

    public static func check(databasePath: String, dataDirectory: URL, grace: Double) throws -> StorageHealth {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let rows = try Row.fetchAll(db, sql: "SELECT id, audio_path FROM meeting ORDER BY id")
            let missing = rows.filter { row in
                !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent(row["audio_path"] as String).path)
            }.map { $0["id"] as String }
            let known = Set(rows.map { $0["id"] as String })
            let folders =
                (try? FileManager.default.contentsOfDirectory(
                    atPath: DataLayout(root: dataDirectory).audio.path)) ?? []
            let stuck = try Row.fetchAll(
                db,
                sql: """
                    SELECT meeting_id, stage FROM job WHERE state = \(JobState.running.sql) AND lease_expires < ? ORDER BY meeting_id
                    """, arguments: [StoreClock.now() - grace]
            ).map { "\($0["meeting_id"] as String)/\($0["stage"] as String)" }
            return StorageHealth(
                integrity: integrity, meetings: rows.count, meetingsWithoutAudio: missing,
                foldersWithoutMeeting: folders.filter { !known.contains($0) }.sorted(), stuckJobs: stuck)
        }
    }
}
