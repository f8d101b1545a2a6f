import Foundation
import HTTPTypes
import ParleyCore
import Metrics
import ParleyQueue
import ParleyStore
import ParleyAPI

/// Turning received bytes into a meeting, shared by tus and single-request uploads:
/// verify the hash, move the file into place, create the meeting and queue its first
/// stage atomically, or find that it already exists.
struct MeetingIntake: Sendable {
    let dependencies: ServerDependencies

    func workspaceId(_ name: String?, viewer: Viewer) async throws -> String? {
        guard let name else { return nil }
        guard let id = try await dependencies.accounts.workspaceId(named: name), viewer.workspaceIds.contains(id) else {
            throw APIFailure.badRequest("you are not a member of a workspace named \(name)", code: .unknownWorkspace)
        }
        return id
    }

    /// 503 + Retry-After while the model queue is full: the client comes back later.
    func requireCapacity() async throws {
        guard try await dependencies.processing.hasCapacity() else {
            throw APIFailure.busy(retryAfter: 30, "the processing queue is full; try again later")
        }
    }

    /// 413 when `bytes` more would pass the viewer's storage quota.
    func requireQuota(_ viewer: Viewer, adding bytes: Int64) async throws {
        do {
            try await dependencies.accounts.checkQuota(userId: viewer.userId, adding: bytes, quota: dependencies.configuration.quota)
        } catch let refusal as StorageQuota.Refusal {
            throw APIFailure.refused(refusal)
        }
    }

    /// `sha256` is the digest of `file` computed while its bytes arrived.
    func adopt(upload: UploadRecord, file: URL, sha256 actual: String) async throws -> MeetingRecord {
        guard actual == upload.sha256 else {
            dependencies.metrics.uploadFailed("checksum_mismatch")
            try await dependencies.uploads.delete(id: upload.id)
            try? FileManager.default.removeItem(at: file)
            throw APIFailure(
                HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch"), code: .checksumMismatch,
                "the received bytes hash to \(actual), not the declared \(upload.sha256); upload discarded")
        }
        // The meeting takes the upload's id, so the upload URL keeps answering HEAD with
        // offset == length once it is complete (tus core requires it): a client that lost
        // the last response, or a second client of the same upload, finishes instead of a 404.
        let meeting = newMeeting(
            id: upload.id, ownerId: upload.ownerId, clientId: upload.clientId, workspaceId: upload.workspaceId,
            isPersonal: upload.isPersonal, title: upload.title, recordedAt: upload.recordedAt, sha256: actual,
            size: upload.length, originalName: upload.originalName, contentType: upload.contentType)
        try dependencies.storage.adopt(file, as: meeting.audioPath)
        let outcome = try await dependencies.uploads.complete(
            upload, as: meeting, maxAttempts: dependencies.configuration.queue.maxAttempts)
        return try await settle(outcome, placed: meeting)
    }

    /// Creates `meeting` (its file already in place) and queues its first stage, or finds
    /// the owner's existing meeting for the same bytes or client id.
    func register(_ meeting: MeetingRecord) async throws -> MeetingRecord {
        let outcome = try await dependencies.meetings.create(meeting, maxAttempts: dependencies.configuration.queue.maxAttempts)
        return try await settle(outcome, placed: meeting)
    }

    /// After the transaction: drop our copy if another request created the meeting first.
    func settle(_ outcome: MeetingRepository.CreateOutcome, placed meeting: MeetingRecord) async throws -> MeetingRecord {
        switch outcome {
        case .created(let created):
            dependencies.metrics.uploadsCompleted.increment()
            await dependencies.processing.announce(meetingId: created.id)
            return created
        case .existing(let existing):
            dependencies.metrics.duplicate(savedBytes: existing.size)
            try? FileManager.default.removeItem(at: dependencies.storage.meetingDirectory(meeting.id))
            return existing
        }
    }

    func newMeeting(
        id: String = UUID().uuidString.lowercased(), ownerId: String, clientId: String?, workspaceId: String?,
        isPersonal: Bool, title: String, recordedAt: Double?, sha256: String, size: Int64, originalName: String?,
        contentType: String?
    ) -> MeetingRecord {
        let now = StoreClock.now()
        return MeetingRecord(
            id: id, ownerId: ownerId, clientId: clientId, workspaceId: workspaceId, isPersonal: isPersonal, title: title,
            recordedAt: recordedAt, createdAt: now, updatedAt: now, sha256: sha256, size: size, originalName: originalName,
            contentType: contentType, status: .queued, stage: .normalize, progress: 0, failureReason: nil, duration: nil,
            codec: nil, sampleRate: nil, channels: nil,
            audioPath: DataLayout.originalRelativePath(meeting: id, originalName: originalName),
            playbackPath: nil, speakersJson: nil, summaryPreview: nil)
    }
}
