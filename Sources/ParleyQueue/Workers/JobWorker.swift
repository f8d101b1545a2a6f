import Foundation
import Logging
import ParleyCore
import ParleyEngine
import ParleyStore

/// Claims jobs of the given stages (and models) and runs them under a lease with
/// heartbeats, until its task is cancelled. With an engine it runs every stage; without
/// one (a server with `--no-local-workers`) only the stages that need none.
struct JobWorker: Sendable {
    let name: String
    let stages: [ProcessingStage]
    /// Models this worker may run; nil = any.
    let models: Set<String>?
    let engine: (any SpeechEngine)?
    let shared: QueueShared

    func run() async {
        while !Task.isCancelled {
            do {
                if let job = try await shared.jobs.claim(
                    worker: name, stages: stages, models: models,
                    lease: shared.configuration.leaseSeconds)
                {
                    await execute(job)
                    continue
                }
            } catch {
                shared.logger.error("claim failed: \(error)")
            }
            try? await Task.sleep(for: shared.configuration.pollInterval)
        }
    }

    func execute(_ job: JobRecord) async {
        guard let jobId = job.id, let meeting = try? await shared.meetings.meeting(id: job.meetingId) else { return }
        await shared.publish(meetingId: meeting.id)
        let reserved = engine != nil ? estimate(meeting) : 0
        do {
            try await shared.budget.reserve(reserved)
        } catch {
            try? await shared.jobs.fail(job, worker: name, error: "\(error)", retryable: false, retryDelay: 0)
            await shared.publish(meetingId: meeting.id)
            return
        }
        let progress = ProgressCell()
        let context = StageContext(
            meeting: meeting, dataDirectory: shared.dataDirectory, engine: engine, jobs: shared.jobs,
            transcription: shared.transcription, model: job.model, maxAudioSeconds: shared.configuration.maxAudioSeconds,
            transcripts: shared.transcripts, voiceprintStore: shared.voiceprints, vocabularies: shared.vocabularies,
            summarizer: shared.summarizer, progress: { progress.set($0) })
        let started = ContinuousClock.now
        let task = Task { try await StageRunner.run(job.stage, context: context) }
        await shared.running.register(jobId, task)
        let heartbeat = Task { await beat(jobId: jobId, meetingId: meeting.id, progress: progress, task: task) }
        let outcome = await task.result
        heartbeat.cancel()
        await shared.running.remove(jobId)
        await shared.budget.release(reserved)
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Recording the outcome must happen even while the worker is being cancelled
        // (shutdown): a fresh task does not inherit the cancellation.
        await Task { await finish(job, outcome: outcome, seconds: seconds) }.value
        await shared.publish(meetingId: meeting.id)
    }

    private func finish(_ job: JobRecord, outcome: Result<StageOutput, any Error>, seconds: Double) async {
        do {
            switch outcome {
            case .success(let output):
                let stored = try await shared.jobs.complete(
                    job, worker: name, result: output.result, seconds: seconds,
                    maxAttempts: shared.configuration.maxAttempts, patch: output.patch)
                if !stored { shared.logger.info("job \(job.id ?? 0) finished after it was cancelled; result dropped") }
            case .failure(let error):
                let (message, retryable) = Self.describe(error)
                if EngineError.isCancellation(error) {
                    // Cancelled by the user (the row says so) or by shutdown (still ours):
                    // in the second case the job goes back to the queue, attempt uncounted.
                    if (try? await shared.jobs.job(id: job.id ?? 0))?.state == .running {
                        try await shared.jobs.release(job, worker: name)
                    }
                    return
                }
                shared.logger.warning("job \(job.id ?? 0) \(job.stage.rawValue) failed: \(message)")
                try await shared.jobs.fail(
                    job, worker: name, error: message, retryable: retryable,
                    retryDelay: shared.configuration.retryDelay(afterAttempt: job.attempts))
            }
        } catch {
            // The lease will expire and recovery will re-queue the job: nothing is lost.
            shared.logger.error("could not record job \(job.id ?? 0): \(error)")
        }
    }

    /// Extends the lease while the stage runs; stops the stage if the job was taken away
    /// (cancelled, or deleted with its meeting).
    private func beat(jobId: Int64, meetingId: String, progress: ProgressCell, task: Task<StageOutput, any Error>) async {
        var published = -1.0
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(shared.configuration.heartbeatSeconds * 1000)))
            if Task.isCancelled { return }
            let fraction = progress.current
            let ours =
                (try? await shared.jobs.heartbeat(
                    jobId: jobId, worker: name, lease: shared.configuration.leaseSeconds, progress: fraction)) ?? true
            if !ours {
                task.cancel()
                return
            }
            if fraction != published {
                published = fraction
                await shared.publish(meetingId: meetingId, wake: false)
            }
        }
    }

    /// A loaded model plus the decoded audio (float32 at 16 kHz, with working copies).
    private func estimate(_ meeting: MeetingRecord) -> UInt64 {
        let seconds = max(meeting.duration ?? Double(meeting.size) / 16_000, 0)
        return shared.configuration.modelResidentBytes + UInt64(seconds * 16_000 * 4 * 3)
    }

    static func describe(_ error: any Error) -> (message: String, retryable: Bool) {
        switch error {
        case let error as EngineError: (error.description, error.isRetryable)
        case let error as StageFailure: (error.message, error.retryable)
        case is CancellationError: ("cancelled", false)
        default: ("\(error)", true)
        }
    }
}
