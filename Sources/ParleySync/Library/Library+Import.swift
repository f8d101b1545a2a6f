import Foundation
import GRDB
import ParleyCore

extension Library {
    public enum ImportOutcome: Sendable, Equatable {
        case imported(RecordingRecord)
        /// The same bytes are already in the library.
        case existing(RecordingRecord)
    }

    static let audioExtensions: Set<String> = [
        "wav", "flac", "mp3", "m4a", "aac", "ogg", "oga", "opus", "webm", "mp4", "mka", "wma", "aiff", "aif", "caf",
    ]

    /// Imports a recording. The library keeps its own copy — a hard link when the file is on
    /// the same filesystem, so it costs no space — because recorders and users move and
    /// clean their folders, and a referenced file that vanishes could never be uploaded or
    /// offloaded safely. The same bytes are never imported twice.
    public func importFile(_ path: String, title: String? = nil, recordedAt: Double? = nil) async throws -> ImportOutcome {
        let source = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw Failure.unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw Failure.unreadable(path: path, reason: "is a directory") }
        let attributes = try FileManager.default.attributesOfItem(atPath: source.path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        guard size > 0 else { throw Failure.unreadable(path: path, reason: "the file is empty") }
        let sha = try Self.sha256(of: source)
        if let existing = try await database.pool.read({ db in
            try RecordingRecord.filter(Column("sha256") == sha).fetchOne(db)
        }) {
            return .existing(existing)
        }
        let id = UUID().uuidString.lowercased()
        let ext = source.pathExtension.lowercased()
        let copy = home.appendingPathComponent("audio/\(id)" + (Self.audioExtensions.contains(ext) ? ".\(ext)" : ""))
        if link(source.path, copy.path) != 0 { try FileManager.default.copyItem(at: source, to: copy) }
        let now = Date().timeIntervalSince1970
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970
        let record = RecordingRecord(
            id: id, title: title ?? source.deletingPathExtension().lastPathComponent, recordedAt: recordedAt ?? modified,
            duration: AudioProbe.duration(of: copy), sha256: sha, size: size, sourcePath: source.path, localPath: copy.path,
            status: .local, failureReason: nil, retryable: false, attempts: 0, nextAttemptAt: 0, serverId: nil,
            uploadUrl: nil, uploadedBytes: 0, serverStage: nil, serverProgress: 0, transcriptJson: nil, offloadedAt: nil,
            syncedAt: nil, createdAt: now, updatedAt: now)
        do {
            try await database.pool.write { db in
                try record.insert(db)
                try db.execute(
                    sql: """
                        INSERT INTO status_change (recording_id, from_status, to_status, reason, at) VALUES (?, NULL, 'local', ?, ?)
                        """, arguments: [id, "imported from \(source.path)", now])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // Imported concurrently by another process (e.g. `watch` and `import` at once).
            try? FileManager.default.removeItem(at: copy)
            if let existing = try await database.pool.read({ db in
                try RecordingRecord.filter(Column("sha256") == sha).fetchOne(db)
            }) {
                return .existing(existing)
            }
            throw error
        }
        return .imported(record)
    }
}
