import Foundation
import Logging
import ParleyAPI
import ParleyCore
import ParleyEngine
import ParleyStore
import ServiceLifecycle

/// The durable processing queue and its workers: model stages in a bounded pool (one
/// supervised engine process per slot), light stages in their own worker so they never
/// wait behind a long transcription, and lease recovery at start-up and while running.
public final class ProcessingService: Service, Sendable {
    let shared: QueueShared
    let engines: [EngineSupervisor]

    public init(
        database: ParleyDatabase, dataDirectory: URL, configuration: QueueConfiguration,
        engine: EngineConfiguration, transcription: TranscriptionOptions, events: EventBroadcaster, logger: Logger,
        summarizer: Summarizer = Summarizer(llm: nil)
    ) {
        shared = QueueShared(
            jobs: JobRepository(database: database), meetings: MeetingRepository(database: database),
            configuration: configuration, dataDirectory: dataDirectory, transcription: transcription,
            transcripts: TranscriptRepository(database: database), voiceprints: VoiceprintRepository(database: database),
            vocabularies: VocabularyRepository(database: database),
            summarizer: summarizer,
            budget: MemoryBudget(budget: configuration.memoryBudgetBytes), running: RunningJobs(), events: events,
            signal: JobSignal(),
            registry: WorkerRegistry(staleAfter: max(configuration.leaseSeconds, configuration.maxClaimWaitSeconds) + 5),
            logger: logger)
        engines =
            configuration.localWorkers
            ? (0..<max(configuration.engineConcurrency, 1)).map { _ in EngineSupervisor(configuration: engine) } : []
        localModels = configuration.localModels.union([transcription.model ?? "tiny.en"])
    }

    /// Models the local engine runs; a job asking for another waits for a remote worker.
    let localModels: Set<String>

    public var events: EventBroadcaster { shared.events }

    public func run() async throws {
        let recovered = try await shared.jobs.recoverExpiredLeases()
        if recovered > 0 { shared.logger.info("recovered \(recovered) interrupted job(s)") }
        let workerID = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8))"
        await withDiscardingTaskGroup { group in
            for (index, engine) in engines.enumerated() {
                let worker = JobWorker(
                    name: "\(workerID)-engine\(index)", stages: ProcessingStage.allCases.filter(\.usesEngine),
                    models: localModels, engine: engine, shared: shared)
                group.addTask { await worker.run() }
            }
            // The light stages run beside the engine slots. On a pure coordinator they are
            // joined by the engine stages that never leave the server, run without an engine
            // (a probe instead of a decode, the chat model's summary, no vectors); the
            // model stages wait for `parley worker` processes.
            let light = JobWorker(
                name: "\(workerID)-light",
                stages: ProcessingStage.allCases.filter { !$0.usesEngine || (engines.isEmpty && !$0.runsOnWorkers) },
                models: nil, engine: nil, shared: shared)
            group.addTask { await light.run() }
            group.addTask { [shared] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(max(shared.configuration.leaseSeconds / 2, 0.5)))
                    _ = try? await shared.jobs.recoverExpiredLeases()
                }
            }
            // Graceful shutdown: cancel the workers, then stop the engines.
            try? await gracefulShutdown()
            group.cancelAll()
        }
        for engine in engines { await engine.shutdown() }
    }

    /// Refuses new work when the model queue is full (the caller answers 503).
    public func hasCapacity() async throws -> Bool {
        try await shared.jobs.waitingEngineJobs() < shared.configuration.maxQueuedJobs
    }

    /// Cancels the meeting's queued and running jobs, killing the engine job and any child
    /// process if one runs, and returns once they have stopped: a delete that follows
    /// removes files nothing is writing any more.
    public func cancel(meetingId: String) async throws {
        for jobId in try await shared.jobs.cancel(meetingId: meetingId) {
            if let task = await shared.running.cancel(jobId) { _ = await task.result }
        }
        await shared.publish(meetingId: meetingId)
    }

    /// Queues the meeting for processing from `stage`; false if work is already pending.
    public func process(meetingId: String, from stage: ProcessingStage = .normalize) async throws -> Bool {
        let queued = try await shared.jobs.requeue(
            meetingId: meetingId, from: stage, maxAttempts: shared.configuration.maxAttempts)
        await shared.publish(meetingId: meetingId)
        return queued
    }

    public func status(of meeting: MeetingRecord) async throws -> ProcessingStatus {
        let jobs = try await shared.jobs.jobs(meetingId: meeting.id)
        let byStage = Dictionary(jobs.map { ($0.stage, $0) }, uniquingKeysWith: { a, _ in a })
        let stages = ProcessingStage.allCases.map { stage in
            let job = byStage[stage]
            return ProcessingStatus.StageStatus(
                stage: stage, state: job?.state, progress: job?.progress ?? 0, attempts: job?.attempts ?? 0,
                lastError: job?.lastError, worker: (job?.leaseOwner ?? job?.finishedBy).map(Self.workerName),
                model: job?.model)
        }
        let current = jobs.first { $0.state == .running || $0.state == .queued }
        var waiting: String?
        if let current, current.state == .queued { waiting = await waitingReason(current) }
        return ProcessingStatus(
            meetingID: meeting.id, status: meeting.status, stage: meeting.stage ?? current?.stage,
            progress: meeting.progress, stages: stages,
            queuePosition: try await shared.jobs.queuePosition(meetingId: meeting.id),
            attempts: current?.attempts ?? jobs.last?.attempts ?? 0, lastError: (current ?? jobs.last)?.lastError,
            failureReason: meeting.failureReason, etaSeconds: try await eta(meeting: meeting, jobs: jobs),
            waitingReason: waiting)
    }

    /// Remaining model work for this meeting, from the measured real-time factors.
    private func eta(meeting: MeetingRecord, jobs: [JobRecord]) async throws -> Double? {
        guard meeting.status == .queued || meeting.status == .processing, let duration = meeting.duration else { return nil }
        var seconds = 0.0
        for stage in ProcessingStage.allCases where stage.usesEngine {
            let job = jobs.first { $0.stage == stage }
            if job?.state == .done { continue }
            guard let factor = try await shared.jobs.realTimeFactor(stage: stage) else { continue }
            seconds += factor * duration * (1 - (job?.progress ?? 0))
        }
        return (seconds * 10).rounded() / 10
    }

    /// Resident memory of the engine processes now, for metrics.
    public func engineResidentBytes() async -> UInt64 {
        var total: UInt64 = 0
        for engine in engines {
            if let pid = await engine.enginePID { total += ProcessMemory.residentBytes(pid: pid) ?? 0 }
        }
        return total
    }
}

extension ProcessingService {
    /// Tells live subscribers about a meeting that changed outside the workers.
    public func announce(meetingId: String) async {
        await shared.publish(meetingId: meetingId)
    }
}
