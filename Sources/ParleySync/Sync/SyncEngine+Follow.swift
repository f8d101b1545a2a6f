import Foundation
import ParleyAPI
import ParleyCore

extension SyncEngine {
    /// Checks each recording the server is processing; caches results of finished ones.
    /// With `wait`, keeps checking until none is left or `timeout` passes.
    func follow(wait: Bool, timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let processing = try await library.recordings(in: [.processing])
            for recording in processing {
                do {
                    try await refresh(recording)
                } catch let error as ServerError where error.isRetryable {
                    // This meeting's status is unreachable for now (retries spent): it stays
                    // `processing` and the next look or pass asks again. Aborting here would
                    // lose the pass's report and skip every other recording and offload.
                    continue
                }
            }
            let left = try await library.recordings(in: [.processing])
            let progressSum = left.reduce(0.0) { $0 + $1.serverProgress }
            report(.processing, done: Double(processing.count - left.count) + progressSum, total: Double(max(processing.count, 1)))
            guard wait, !left.isEmpty, Date() < deadline else { return }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// Applies the server's view of one recording.
    public func refresh(_ recording: RecordingRecord) async throws {
        guard let meetingId = recording.serverId else { return }
        guard let status = try await retry.run({ try await client.status(meetingId: meetingId) }) else {
            try await reconcile(recording, with: nil)
            return
        }
        switch status.status {
        case .synced:
            let detail = try await retry.run { try await client.meeting(id: meetingId) }
            let transcript = try detail.transcript.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            try await library.transition(recording.id, to: .synced, reason: "processed on the server") {
                $0.transcriptJson = transcript
                $0.serverStage = nil
                $0.serverProgress = 1
                $0.syncedAt = Date().timeIntervalSince1970
            }
            record { $0.completed += 1 }
        case .failed:
            try await library.transition(recording.id, to: .failed, reason: "processing failed on the server") {
                $0.failureReason = status.failureReason ?? status.lastError ?? "processing failed"
                $0.retryable = false
            }
            record { $0.failed.append(recording.id) }
        default:
            try await library.update(recording.id) {
                $0.serverStage = status.stage?.rawValue
                $0.serverProgress = status.progress
            }
        }
    }
}
