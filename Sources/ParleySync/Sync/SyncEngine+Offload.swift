import Foundation
import ParleyCore
import ParleyAPI

extension SyncEngine {
    /// Deletes local audio the policy allows — only once the server has confirmed the
    /// very same bytes (its SHA-256) and finished processing them.
    func offload() async throws {
        let now = Date().timeIntervalSince1970
        let candidates = try await library.recordings(in: [.synced]).filter { recording in
            guard recording.localPath != nil, let synced = recording.syncedAt else { return false }
            switch settings.offload {
            case .keep: return false
            case .afterSync: return true
            case .afterDays(let days): return now - synced >= Double(days) * 86_400
            }
        }
        for recording in candidates {
            guard let meetingId = recording.serverId, let path = recording.localPath,
                let metadata = try? await retry.run({ try await client.audioMetadata(meetingId: meetingId) }),
                metadata.sha256 == recording.sha256, metadata.size == recording.size,
                // A status that cannot be fetched now means "not verified": keep the file
                // and move on, rather than abort the pass (and its report) on one request.
                (try? await retry.run({ try await client.status(meetingId: meetingId) }))?.status == .synced
            else { continue }
            try await library.update(recording.id) {
                $0.localPath = nil
                $0.offloadedAt = now
            }
            try? FileManager.default.removeItem(atPath: path)
            record { $0.offloaded += 1 }
        }
    }
}
