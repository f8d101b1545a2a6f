/// Where a recording is in its life, as the user's spec names it:
/// local → queued → uploading → processing → synced, or failed with a reason.
public enum MeetingStatus: String, Codable, Sendable, CaseIterable {
    case local, queued, uploading, processing, synced, failed

    /// The transitions a recording may take. Anything else is a bug and is refused.
    public func canTransition(to next: MeetingStatus) -> Bool {
        switch (self, next) {
        case (.local, .queued), (.queued, .uploading), (.uploading, .processing), (.processing, .synced):
            true
        // Already on the server (found by id or hash): nothing to upload or wait for.
        case (.local, .synced), (.queued, .synced), (.queued, .processing), (.uploading, .synced):
            true
        // Retry paths: a failed or interrupted step goes back to the queue.
        case (.failed, .queued), (.uploading, .queued), (.processing, .queued), (.synced, .queued):
            true
        // Re-processing on the server, and failure from any working state.
        case (.synced, .processing), (.local, .failed), (.queued, .failed), (.uploading, .failed), (.processing, .failed):
            true
        default:
            false
        }
    }
}
