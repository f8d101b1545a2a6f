import Foundation
import GRDB
import ParleyCore

/// tus uploads in progress, and their atomic hand-over to a meeting when complete.
public struct UploadRepository: Sendable {
    public enum CreateOutcome: Sendable, Equatable {
        case created(UploadRecord)
        /// The same bytes are already being uploaded: resume that upload instead.
        case resume(UploadRecord)
        /// The owner already has a meeting with these bytes or this client id.
        case existingMeeting(MeetingRecord)
    }

    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    /// Creates the upload unless the owner already holds these bytes (as a meeting or an
    /// upload in progress). A new upload must fit `quota`, checked in the same transaction
    /// as the insert, so concurrent creations cannot together pass it.
    public func create(_ upload: UploadRecord, quota: StorageQuota = StorageQuota()) async throws -> CreateOutcome {
        let probe = MeetingRecord.probe(owner: upload.ownerId, sha256: upload.sha256, clientId: upload.clientId)
        do {
            return try await database.pool.write { db in
                if let meeting = try MeetingRepository.duplicate(of: probe, in: db) { return .existingMeeting(meeting) }
                if let pending = try UploadRecord.filter(Column("owner_id") == upload.ownerId && Column("sha256") == upload.sha256)
                    .fetchOne(db)
                {
                    return .resume(pending)
                }
                try quota.check(ownerId: upload.ownerId, adding: upload.length, newUpload: true, in: db)
                try upload.insert(db)
                return .created(upload)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // A concurrent create of the same bytes won: resume it.
            let pending = try await database.pool.read { db in
                try UploadRecord.filter(Column("owner_id") == upload.ownerId && Column("sha256") == upload.sha256).fetchOne(db)
            }
            guard let pending else { throw error }
            return .resume(pending)
        }
    }

    public func upload(id: String, ownerId: String) async throws -> UploadRecord? {
        try await database.pool.read { db in
            try UploadRecord.filter(Column("id") == id && Column("owner_id") == ownerId).fetchOne(db)
        }
    }

    /// Records progress; also the upload's last activity, which expiry is measured from.
    public func setOffset(id: String, offset: Int64) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE upload SET offset = ?, updated_at = ? WHERE id = ?", arguments: [offset, StoreClock.now(), id])
        }
    }

    public func delete(id: String) async throws {
        _ = try await database.pool.write { db in try UploadRecord.deleteOne(db, key: id) }
    }

    /// Replaces the upload with its meeting (and the meeting's first job) in one
    /// transaction, so a crash leaves either the upload or the meeting, never both or none.
    public func complete(
        _ upload: UploadRecord, as meeting: MeetingRecord, maxAttempts: Int
    ) async throws -> MeetingRepository.CreateOutcome {
        try await database.pool.write { db in
            let outcome = try MeetingRepository.createQueued(meeting, maxAttempts: maxAttempts, in: db)
            try UploadRecord.deleteOne(db, key: upload.id)
            if case .existing(let existing) = outcome {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO upload_outcome (upload_id, owner_id, meeting_id) VALUES (?, ?, ?)
                        """, arguments: [upload.id, upload.ownerId, existing.id])
            }
            return outcome
        }
    }

    /// The meeting a finished upload of `ownerId` became when it was not created under the
    /// upload's own id (its bytes were a duplicate).
    public func outcome(uploadId: String, ownerId: String) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT meeting_id FROM upload_outcome WHERE upload_id = ? AND owner_id = ?",
                arguments: [uploadId, ownerId])
        }
    }

    /// Uploads without activity for `age` seconds: abandoned, to be removed with their bytes.
    public func stale(olderThan age: Double) async throws -> [UploadRecord] {
        try await database.pool.read { db in
            try UploadRecord.fetchAll(
                db, sql: "SELECT * FROM upload WHERE COALESCE(updated_at, created_at) < ?",
                arguments: [StoreClock.now() - age])
        }
    }
}

extension MeetingRecord {
    /// A record holding only the keys that duplicate detection compares.
    static func probe(owner: String, sha256: String, clientId: String?) -> MeetingRecord {
        MeetingRecord(
            id: "", ownerId: owner, clientId: clientId, workspaceId: nil, isPersonal: true, title: "", recordedAt: nil,
            createdAt: 0, updatedAt: 0, sha256: sha256, size: 0, originalName: nil, contentType: nil, status: .queued,
            stage: nil, progress: 0, failureReason: nil, duration: nil, codec: nil, sampleRate: nil, channels: nil,
            audioPath: "", playbackPath: nil, speakersJson: nil, summaryPreview: nil)
    }
}
