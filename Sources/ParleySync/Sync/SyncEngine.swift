import Foundation
import ParleyAPI
import ParleyCore
import Synchronization

/// One sync pass: reconcile with the server, upload what it lacks (bounded parallel,
/// resumable, with backoff), follow processing, fetch results, then offload by policy.
public struct SyncEngine: Sendable {
    public let library: Library
    public let client: ServerClient
    public let settings: ClientSettings
    public let retry: RetryPolicy
    let progress: SyncProgressHandler?
    let tally = Tally()

    public init(
        library: Library, client: ServerClient, settings: ClientSettings, retry: RetryPolicy = .fromEnvironment(),
        progress: SyncProgressHandler? = nil
    ) {
        self.library = library
        self.client = client
        self.settings = settings
        self.retry = retry
        self.progress = progress
    }

    /// Runs a pass; with `wait`, follows processing until every upload is done or failed.
    public func run(wait: Bool = false, timeout: Double = 3600) async throws -> SyncReport {
        let requestsBefore = client.requestsSent
        try await reconcile()
        try await uploadPending()
        try await follow(wait: wait, timeout: timeout)
        try await offload()
        return tally.state.withLock { report in
            report.requests = client.requestsSent - requestsBefore
            return report
        }
    }

    func record(_ change: (inout SyncReport) -> Void) {
        tally.state.withLock { change(&$0) }
    }

    func report(_ phase: SyncProgress.Phase, done: Double, total: Double, detail: String = "") {
        progress?(SyncProgress(phase: phase, done: done, total: total, detail: detail))
    }

    /// Takes `recording` to `target` through the allowed intermediate states, recording why.
    @discardableResult
    func move(
        _ recording: RecordingRecord, to target: MeetingStatus, reason: String,
        _ change: @Sendable @escaping (inout RecordingRecord) -> Void = { _ in }
    ) async throws -> RecordingRecord {
        var current = recording
        for step in Self.path(from: current.status, to: target) {
            current = try await library.transition(current.id, to: step, reason: reason, step == target ? change : { _ in })
        }
        return current
    }

    static func path(from start: MeetingStatus, to target: MeetingStatus) -> [MeetingStatus] {
        if start == target || start.canTransition(to: target) { return [target] }
        for middle in MeetingStatus.allCases where start.canTransition(to: middle) && middle.canTransition(to: target) {
            return [middle, target]
        }
        return [target]  // refused by the library with a clear error
    }
}

/// The running report of a pass, shared by its parallel uploads.
final class Tally: Sendable {
    let state = Mutex(SyncReport())
}
