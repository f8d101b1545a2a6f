import Foundation

/// Runs speech-engine jobs in a supervised child process, one job at a time.
///
/// The engine starts on demand, is killed when a job outlives its timeout or its memory
/// passes the cap, is restarted after a crash (the failed job is reported as retryable,
/// never left hanging), and exits after an idle TTL so its memory really returns to the OS.
/// Model work therefore never runs in the caller's process.
public actor EngineSupervisor {
    public let configuration: EngineConfiguration
    /// Largest resident set seen in any engine process so far, for benchmarks and metrics.
    public internal(set) var peakResidentBytes: UInt64 = 0
    /// Engine processes started so far.
    public internal(set) var launches = 0

    var process: EngineProcess?
    var generation = 0
    var readyWaiter: CheckedContinuation<Void, any Error>?
    var job: ActiveJob?
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    var idleTask: Task<Void, Never>?
    var watchdog: Task<Void, Never>?
    private var jobCounter = 0

    struct ActiveJob {
        var id: String
        var continuation: CheckedContinuation<Data, any Error>
        var progress: EngineProgressHandler?
        var timer: Task<Void, Never>?
    }

    public init(configuration: EngineConfiguration = .fromEnvironment()) {
        self.configuration = configuration
    }

    /// The running engine's process id, if one is up.
    public var enginePID: Int32? {
        guard let process, process.isRunning else { return nil }
        return process.pid
    }

    /// Sends one request and waits for its result, reporting progress on the way.
    /// Cancelling the calling task kills the engine job.
    public func call<Parameters: Encodable & Sendable, Result: Decodable & Sendable>(
        _ method: String, _ parameters: Parameters, returning: Result.Type,
        progress: EngineProgressHandler? = nil
    ) async throws -> Result {
        await acquire()
        defer { release() }
        idleTask?.cancel()
        defer { scheduleIdleExit() }
        if Task.isCancelled { throw EngineError.cancelled }
        let process = try await ensureRunning()
        jobCounter += 1
        let id = "job-\(jobCounter)"
        let request = try JSONEncoder().encode(EngineRequest(id: id, method: method, params: parameters))
        let line = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                job = ActiveJob(id: id, continuation: continuation, progress: progress, timer: startTimer(for: id))
                do {
                    try process.send(request)
                } catch {
                    abort(jobID: id, with: error as? EngineError ?? .crashed(detail: "\(error)"))
                }
                if Task.isCancelled { abort(jobID: id, with: .cancelled) }
            }
        } onCancel: {
            Task { await self.abort(jobID: id, with: .cancelled) }
        }
        do {
            return try JSONDecoder().decode(EngineResultEnvelope<Result>.self, from: line).result
        } catch {
            throw EngineError.protocolViolation(detail: "unreadable \(method) result: \(error)")
        }
    }

    /// Stops the engine now (server shutdown); a running job fails as cancelled.
    public func shutdown() async {
        if let id = job?.id { abort(jobID: id, with: .cancelled) }
        idleTask?.cancel()
        await stopProcess()
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    private func startTimer(for id: String) -> Task<Void, Never> {
        let timeout = configuration.jobTimeout
        return Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            await self?.abort(jobID: id, with: .timedOut(seconds: seconds))
        }
    }

    /// Ends job `id` with `error` and kills the engine under it: a half-done model job
    /// cannot be interrupted any other way.
    func abort(jobID id: String, with error: EngineError) {
        guard job?.id == id else { return }
        discardProcess(kill: true)
        finish(jobID: id, with: .failure(error))
    }

    func finish(jobID id: String, with result: Result<Data, any Error>) {
        guard let active = job, active.id == id else { return }
        job = nil
        active.timer?.cancel()
        active.continuation.resume(with: result)
    }
}
