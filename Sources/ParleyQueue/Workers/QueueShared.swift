import ParleyAPI
import Foundation
import Logging
import ParleyEngine
import ParleyStore

/// What every worker shares: repositories, configuration, admission and events.
struct QueueShared: Sendable {
    let jobs: JobRepository
    let meetings: MeetingRepository
    let configuration: QueueConfiguration
    let dataDirectory: URL
    let transcription: TranscriptionOptions
    let transcripts: TranscriptRepository
    let voiceprints: VoiceprintRepository
    let vocabularies: VocabularyRepository
    let summarizer: Summarizer
    let budget: MemoryBudget
    let running: RunningJobs
    let events: EventBroadcaster
    let signal: JobSignal
    let registry: WorkerRegistry
    let logger: Logger

    /// Tells subscribers about the meeting and wakes workers waiting for a job: every queue
    /// change goes through here. Progress alone (`wake: false`) queues nothing to claim.
    func publish(meetingId: String, wake: Bool = true) async {
        if wake { await signal.notify() }
        guard let meeting = try? await meetings.meeting(id: meetingId) else { return }
        await events.publish(
            ProcessingEvent(
                meetingId: meeting.id, ownerId: meeting.ownerId, workspaceId: meeting.workspaceId,
                isPersonal: meeting.isPersonal, status: meeting.status, stage: meeting.stage, progress: meeting.progress,
                failureReason: meeting.failureReason))
    }
}
