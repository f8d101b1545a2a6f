import AsyncHTTPClient
import Foundation
import Logging
import ParleyAPI
import ParleyCore
import ParleyEngine
import ParleyPipeline
import ServiceLifecycle
import NIOHTTP1

/// `parley worker`: claims model jobs from a server, runs them in its own supervised engine
/// (the same supervisor as the server's: memory cap, timeout, idle exit, crash restart),
/// keeps the lease alive with heartbeats that carry progress, and posts the result. On
/// SIGTERM it stops the job, gives it back to the queue and exits.
public struct RemoteWorker: Service {
    let settings: WorkerSettings
    let client: WorkerClient
    let engine: EngineSupervisor
    let cache: AudioCache
    let logger: Logger

    /// The server refused the worker for good (bad or revoked token, not a worker token).
    public struct Rejected: Error, CustomStringConvertible {
        public var description: String
    }

    public init(settings: WorkerSettings, logger: Logger) {
        self.settings = settings
        client = WorkerClient(baseURL: settings.server, token: settings.token, http: WorkerClient.connections)
        engine = EngineSupervisor(configuration: settings.engine)
        cache = AudioCache(directory: settings.cacheDirectory, limitBytes: settings.cacheBytes)
        self.logger = logger
    }

    public func run() async throws {
        logger.info(
            "parley worker \(settings.workerID): \(settings.stages.map(\.rawValue)) with models \(settings.models) for \(settings.server)")
        defer { logger.info("parley worker stopped") }
        let outcome: Result<Void, any Error> = await cancelWhenGracefulShutdown {
            do { try await loop() } catch { return .failure(error) }
            return .success(())
        }
        await engine.shutdown()
        try outcome.get()
    }

    func loop() async throws {
        let claim = WorkerClaim(
            workerId: settings.workerID, name: settings.name, stages: settings.stages, models: settings.models,
            device: settings.transcription.device, waitSeconds: settings.claimWaitSeconds)
        var failures = 0
        while !Task.isCancelled {
            do {
                guard let job = try await client.claim(claim) else { continue }
                failures = 0
                await execute(job)
            } catch let refused as WorkerClient.Refused where [401, 403].contains(refused.status) {
                throw Rejected(description: "the server refused this worker's token (\(refused.status)): \(refused.message)")
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("claim failed (\(error)); retrying")
                try? await Task.sleep(for: .milliseconds(Int64(WorkerClient.backoff(attempt: failures) * 1000)))
            }
        }
    }

    enum StageResult: Sendable {
        case transcription(RecognitionResult)
        case diarization(Diarization)
    }

    func execute(_ job: WorkerJob) async {
        logger.info("job \(job.jobId): \(job.stage.rawValue) of meeting \(job.meetingId) (attempt \(job.attempt))")
        let progress = LatestValue(0.0)
        let lost = LatestValue(false)
        let started = ContinuousClock.now
        let task = Task { try await run(job) { value in progress.set(min(max(value, 0), 1)) } }
        let beat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(job.heartbeatSeconds * 1000)))
                if Task.isCancelled { return }
                let reply = try? await client.report(
                    job.jobId, "heartbeat", WorkerReport.Heartbeat(lease: job.lease, progress: progress.current),
                    retryFor: job.leaseSeconds)
                if reply?.status.code == 409 {
                    lost.set(true)
                    task.cancel()
                    return
                }
            }
        }
        let outcome = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        beat.cancel()
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Reporting must happen even while the worker is shutting down: a fresh task does
        // not inherit the cancellation.
        await Task { await report(job, outcome: outcome, seconds: seconds, lost: lost.current) }.value
    }

    private func report(_ job: WorkerJob, outcome: Result<StageResult, any Error>, seconds: Double, lost: Bool) async {
        if lost {
            logger.warning("job \(job.jobId): the lease was lost (cancelled or reassigned); stopped")
            return
        }
        do {
            switch outcome {
            case .success(.transcription(let result)):
                try await complete(job, WorkerReport.Completion(lease: job.lease, seconds: seconds, result: result))
            case .success(.diarization(let result)):
                try await complete(job, WorkerReport.Completion(lease: job.lease, seconds: seconds, result: result))
            case .failure(let error) where EngineError.isCancellation(error):
                _ = try await client.report(job.jobId, "release", WorkerReport.Release(lease: job.lease), retryFor: 10)
                logger.info("job \(job.jobId): released to the queue")
            case .failure(let error):
                let (message, retryable) = Self.describe(error)
                logger.warning("job \(job.jobId) failed: \(message)")
                _ = try await client.report(
                    job.jobId, "fail", WorkerReport.Failure(lease: job.lease, error: message, retryable: retryable))
            }
        } catch {
            // The lease will expire and the server will queue the job again: nothing is lost.
            logger.error("job \(job.jobId): could not report to the server: \(error)")
        }
    }

    private func complete<Result: Codable & Sendable>(_ job: WorkerJob, _ body: WorkerReport.Completion<Result>) async throws {
        let reply = try await client.report(job.jobId, "complete", body)
        switch reply.status.code {
        case 200: logger.info("job \(job.jobId): \(job.stage.rawValue) stored (\(String(format: "%.1f", body.seconds)) s)")
        case 409: logger.warning("job \(job.jobId): the lease was lost before the result arrived; the server dropped it")
        default:
            let message = String(decoding: reply.body, as: UTF8.self)
            logger.error("job \(job.jobId): the server refused the result (\(reply.status.code)): \(message)")
            _ = try await client.report(
                job.jobId, "fail",
                WorkerReport.Failure(
                    lease: job.lease, error: "the server refused the worker's result: \(message.prefix(300))", retryable: false))
        }
    }

    /// Fetches (or reuses) the verified audio and runs the stage's model work.
    private func run(_ job: WorkerJob, progress: @escaping @Sendable (Double) -> Void) async throws -> StageResult {
        let original = try await audio(for: job)
        let pcm = await cache.pcm(sha256: job.audioSha256)
        switch job.stage {
        case .transcribe:
            let options = settings.options(for: job)
            return .transcription(
                try await ModelStages.transcribe(
                    engine: engine, original: original, pcm: pcm, options: options, progress: progress))
        case .diarize:
            return .diarization(try await ModelStages.diarize(engine: engine, original: original, pcm: pcm, progress: progress))
        default:
            throw RemoteJobFailure(message: "this worker cannot run \(job.stage.rawValue)", retryable: false)
        }
    }

    /// The original upload, resumed with Range after a cut-off download (a few tries).
    private func audio(for job: WorkerJob) async throws -> URL {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await cache.file(sha256: job.audioSha256, size: job.audioSize) { [client] offset, handle in
                    _ = try await client.download(jobID: job.jobId, from: offset, into: handle)
                }
            } catch {
                if Task.isCancelled || attempt >= 5 || error is WorkerClient.Refused { throw error }
                logger.warning("job \(job.jobId): audio download interrupted (\(error)); resuming")
                try await Task.sleep(for: .milliseconds(Int64(WorkerClient.backoff(attempt: attempt) * 1000)))
            }
        }
    }

    static func describe(_ error: any Error) -> (message: String, retryable: Bool) {
        switch error {
        case let error as EngineError: (error.description, error.isRetryable)
        case let error as RemoteJobFailure: (error.message, error.retryable)
        default: ("\(error)", true)
        }
    }
}

/// A job this worker cannot do, phrased for the meeting's status.
struct RemoteJobFailure: Error {
    var message: String
    var retryable: Bool
}
