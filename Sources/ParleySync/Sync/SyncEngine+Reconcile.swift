import Foundation
import ParleyAPI
import ParleyCore

extension SyncEngine {
    /// Start-up repair: compares every local recording with what the server holds (one
    /// paged listing, not a request per recording) and fixes what disagrees.
    func reconcile() async throws {
        report(.reconciling, done: 0, total: 1)
        let held = try await retry.run { try await client.syncedIndex() }
        let byClient = Dictionary(held.compactMap { m in m.clientID.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
        let bySha = Dictionary(held.map { ($0.sha256, $0) }, uniquingKeysWith: { a, _ in a })
        for recording in try await library.all() {
            let onServer = byClient[recording.id] ?? bySha[recording.sha256]
            try await reconcile(recording, with: onServer)
        }
        report(.reconciling, done: 1, total: 1)
    }

    func reconcile(_ recording: RecordingRecord, with server: SyncedMeeting?) async throws {
        let hasAudio = recording.localPath.map { FileManager.default.fileExists(atPath: $0) } ?? false
        switch (recording.status, server) {
        case (.failed, let meeting?) where meeting.status == .failed:
            break  // failed on the server too (e.g. not audio): re-uploading cannot help
        case (.local, let meeting?), (.queued, let meeting?), (.uploading, let meeting?), (.failed, let meeting?):
            // Already there (uploaded by another device, or before a crash): no upload.
            record { $0.alreadyOnServer += 1 }
            try await move(recording, to: .processing, reason: "the server already holds it") {
                $0.serverId = meeting.id
                $0.uploadUrl = nil
                $0.failureReason = nil
            }
        case (.synced, nil), (.processing, nil):
            guard recording.serverId != nil || recording.status == .synced else { return }
            if hasAudio {
                record { $0.requeued += 1 }
                try await library.transition(recording.id, to: .queued, reason: "the server no longer has it; uploading again") {
                    $0.serverId = nil
                    $0.uploadUrl = nil
                    $0.transcriptJson = nil
                }
            } else if recording.status != .failed {
                try await move(recording, to: .failed, reason: "lost on the server") {
                    $0.failureReason = "the server no longer has it and the local audio was offloaded"
                    $0.retryable = false
                }
                record { $0.failed.append(recording.id) }
            }
        case (.local, nil), (.queued, nil), (.uploading, nil):
            if !hasAudio {
                record { $0.missingFiles.append(recording.localPath ?? recording.sourcePath) }
                try await move(recording, to: .failed, reason: "local file disappeared") {
                    $0.failureReason = "the local file disappeared: \($0.localPath ?? $0.sourcePath)"
                    $0.retryable = false
                }
            }
        case (.synced, let meeting?), (.processing, let meeting?):
            if recording.serverId != meeting.id { try await library.update(recording.id) { $0.serverId = meeting.id } }
        case (.failed, nil):
            break
        }
    }
}
