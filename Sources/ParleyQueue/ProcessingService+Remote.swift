import Foundation
import ParleyAPI
import ParleyCore
import ParleyStore
import ParleyEngine

/// The queue seen from `parley worker` processes over HTTP. A remote job is the same job
/// row as a local one, claimed, renewed, completed and failed by the same transactions
/// (`JobRepository`); its lease owner is `remote:<token id>:<lease>`, so only the worker
/// holding the lease, with the token it claimed with, can report on it, and a worker that
/// vanishes simply stops renewing: recovery puts the job back in the queue.
extension ProcessingService {
    public enum RemoteOutcome: Sendable, Equatable {
        case stored, alreadyStored, failed, released
        /// The lease expired, the job was cancelled, or another worker holds it now.
        case leaseLost
    }

    static func owner(tokenId: String, lease: String) -> String { "remote:\(tokenId):\(lease)" }

    /// `server` for local workers, the worker's id for remote ones.
    static func workerName(_ owner: String) -> String {
        guard owner.hasPrefix("remote:") else { return "server" }
        let lease = owner.split(separator: ":", maxSplits: 2).last.map(String.init) ?? owner
        return lease.split(separator: "/").first.map(String.init) ?? lease
    }

    /// Long-polls for a job the worker can run; nil when none came within the wait.
    ///
    /// A worker killed while its claim is open is not noticed (the server does not read
    /// the idle connection, so it sees no hang-up): the claim may still take a job, which
    /// then sits leased to nobody until the lease runs out and recovery queues it again,
    /// one attempt spent. Streaming the claim's answer with keep-alive bytes would notice
    /// a dead peer within seconds; not done yet.
    public func claimRemote(_ claim: WorkerClaim, tokenId: String, user: String) async throws -> WorkerJob? {
        let configuration = shared.configuration
        let stages = claim.stages.filter(\.runsOnWorkers)
        let wait = min(max(claim.waitSeconds ?? configuration.maxClaimWaitSeconds, 0), configuration.maxClaimWaitSeconds)
        let deadline = Date().addingTimeInterval(wait)
        await shared.registry.claimStarted(claim, user: user)
        var assigned: WorkerInfo.CurrentJob?
        defer { Task { [shared, assigned] in await shared.registry.claimEnded(workerID: claim.workerId, job: assigned) } }
        while !stages.isEmpty {
            let lease = "\(claim.workerId)/\(UUID().uuidString.prefix(12).lowercased())"
            let owner = Self.owner(tokenId: tokenId, lease: lease)
            if let job = try await shared.jobs.claim(
                worker: owner, stages: stages, models: Set(claim.models), lease: configuration.leaseSeconds),
                let jobID = job.id
            {
                guard let meeting = try await shared.meetings.meeting(id: job.meetingId) else {
                    try await shared.jobs.release(job, worker: owner)
                    await shared.publish(meetingId: job.meetingId)
                    continue
                }
                assigned = .init(jobId: jobID, meetingId: job.meetingId, stage: job.stage, progress: 0)
                await shared.publish(meetingId: job.meetingId)
                let options = try await MeetingTranscription.options(
                    base: shared.transcription, model: job.model, meetingId: job.meetingId,
                    vocabularies: shared.vocabularies, jobs: shared.jobs)
                return WorkerJob(
                    jobId: jobID, meetingId: job.meetingId, stage: job.stage, lease: lease,
                    leaseSeconds: configuration.leaseSeconds, heartbeatSeconds: configuration.heartbeatSeconds,
                    attempt: job.attempts, model: job.model, language: options.language, beamSize: options.beamSize,
                    profile: options.profile, vocabulary: options.vocabulary, prompt: options.initialPrompt,
                    audioSha256: meeting.sha256,
                    audioSize: meeting.size, duration: meeting.duration)
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 || Task.isCancelled { break }
            // Woken by any queue change; the cap also catches retries whose delay ran out
            // and leases recovered, which announce nothing.
            await shared.signal.wait(upTo: min(remaining, 2))
        }
        return nil
    }

    /// Renews the lease and records progress; `.leaseLost` tells the worker to stop.
    public func heartbeatRemote(jobId: Int64, lease: String, tokenId: String, progress: Double) async throws -> RemoteOutcome {
        let fraction = progress.isFinite ? min(max(progress, 0), 1) : 0
        guard
            try await shared.jobs.heartbeat(
                jobId: jobId, worker: Self.owner(tokenId: tokenId, lease: lease), lease: shared.configuration.leaseSeconds,
                progress: fraction)
        else { return .leaseLost }
        await shared.registry.heartbeat(workerID: Self.workerID(lease), jobID: jobId, progress: fraction)
        if let job = try await shared.jobs.job(id: jobId) { await shared.publish(meetingId: job.meetingId, wake: false) }
        return .stored
    }

    /// Stores a validated result and queues the next stage, or recognises a retry of a
    /// completion already stored; anything else changes nothing.
    public func completeRemote(jobId: Int64, lease: String, tokenId: String, result: Data, seconds: Double) async throws
        -> RemoteOutcome
    {
        let owner = Self.owner(tokenId: tokenId, lease: lease)
        if let job = try await shared.jobs.job(id: jobId), job.state == .running, job.leaseOwner == owner,
            try await shared.jobs.complete(
                job, worker: owner, result: result, seconds: max(seconds.isFinite ? seconds : 0, 0),
                maxAttempts: shared.configuration.maxAttempts)
        {
            await shared.registry.jobEnded(workerID: Self.workerID(lease), jobID: jobId, completed: true)
            await shared.publish(meetingId: job.meetingId)
            return .stored
        }
        return try await shared.jobs.completedAlready(jobId: jobId, worker: owner, result: result) ? .alreadyStored : .leaseLost
    }

    /// A failure reported by the worker (back to the queue with backoff while attempts and
    /// retryability allow), or a release (`release`: back at once, attempt not counted).
    public func failRemote(jobId: Int64, lease: String, tokenId: String, error: String?, retryable: Bool) async throws
        -> RemoteOutcome
    {
        let owner = Self.owner(tokenId: tokenId, lease: lease)
        guard let job = try await shared.jobs.job(id: jobId), job.state == .running, job.leaseOwner == owner else {
            return .leaseLost
        }
        if let error {
            try await shared.jobs.fail(
                job, worker: owner, error: String(error.prefix(500)), retryable: retryable,
                retryDelay: shared.configuration.retryDelay(afterAttempt: job.attempts))
        } else {
            try await shared.jobs.release(job, worker: owner)
        }
        await shared.registry.jobEnded(workerID: Self.workerID(lease), jobID: jobId, completed: false)
        await shared.publish(meetingId: job.meetingId)
        return error == nil ? .released : .failed
    }

    /// The meeting whose audio a worker may read: that of a job it holds with this token.
    public func remoteAudio(jobId: Int64, tokenId: String) async throws -> MeetingRecord? {
        guard let job = try await shared.jobs.runningJob(id: jobId, ownerPrefix: Self.owner(tokenId: tokenId, lease: ""))
        else { return nil }
        return try await shared.meetings.meeting(id: job.meetingId)
    }

    public func connectedWorkers() async -> [WorkerInfo] {
        await shared.registry.connected()
    }

    /// The model names this server can transcribe with now: its own engine's (when it runs
    /// one) and those of the connected workers.
    public func offeredModels() async -> Set<String> {
        var models = engines.isEmpty ? [] : localModels
        for worker in await shared.registry.connected() where worker.stages.contains(.transcribe) {
            models.formUnion(worker.models)
        }
        return models
    }

    /// Sets the language and prompt the meeting's transcriptions use (nil = the defaults).
    public func requestTranscription(language: String?, prompt: String?, meetingId: String) async throws {
        try await shared.jobs.requestTranscription(language: language, prompt: prompt, meetingId: meetingId)
    }

    /// Sets the model the meeting's next transcription asks for (nil = the default).
    public func requestModel(_ model: String?, meetingId: String) async throws {
        try await shared.jobs.requestModel(model, meetingId: meetingId)
    }

    /// Why a queued job is not running yet, when it is for want of a worker that can run it.
    func waitingReason(_ job: JobRecord) async -> String? {
        guard job.stage.runsOnWorkers else { return nil }
        if !engines.isEmpty, job.model.map(localModels.contains) ?? true { return nil }
        if await shared.registry.canRun(job.stage, model: job.model) { return nil }
        if let model = job.model {
            return "waiting for a worker that has model \(model): none is connected"
        }
        return "waiting for a worker to \(job.stage.rawValue): none is connected (this server runs no local engine)"
    }

    static func workerID(_ lease: String) -> String {
        lease.split(separator: "/").first.map(String.init) ?? lease
    }
}
