import Foundation

/// How the processing queue behaves; every value has a `PARLEY_*` environment variable.
public struct QueueConfiguration: Sendable, Equatable {
    /// Model jobs that may run at once (one engine process each). 1 suits a 2-core box.
    public var engineConcurrency: Int
    /// A worker that stops heart-beating loses its job after this many seconds.
    public var leaseSeconds: Double
    public var heartbeatSeconds: Double
    public var maxAttempts: Int
    /// First retry delay; doubled per attempt, with jitter, up to `maxRetryDelay`.
    public var retryDelay: Double
    public var maxRetryDelay: Double
    /// Waiting model jobs beyond which new work is refused (503 + Retry-After).
    public var maxQueuedJobs: Int
    /// Memory the engine processes may use together; jobs that would exceed it wait.
    public var memoryBudgetBytes: UInt64
    /// Resident memory of a loaded model, for admission estimates.
    public var modelResidentBytes: UInt64
    public var pollInterval: Duration
    /// Longest recording accepted (6 h): checked from the container before decoding and
    /// enforced while decoding, so a small upload cannot expand into gigabytes of PCM.
    /// nil = no limit (`PARLEY_MAX_AUDIO_HOURS=0`).
    public var maxAudioSeconds: Double? = 6 * 3600
    /// Run model stages in engine processes on this machine (`PARLEY_LOCAL_WORKERS=0` or
    /// `--no-local-workers` turn it off): off, the server starts no engine and only
    /// coordinates; `parley worker` processes run the model stages.
    public var localWorkers = true
    /// Model names the local engine offers besides the configured default
    /// (`PARLEY_LOCAL_MODELS`, comma-separated): a job asking for another model waits for
    /// a remote worker that has it.
    public var localModels: Set<String> = []
    /// Longest a worker's claim request is held open when nothing is queued.
    public var maxClaimWaitSeconds: Double = 25

    public init(
        engineConcurrency: Int = 1, leaseSeconds: Double = 30, heartbeatSeconds: Double = 5, maxAttempts: Int = 3,
        retryDelay: Double = 5, maxRetryDelay: Double = 300, maxQueuedJobs: Int = 1000,
        memoryBudgetBytes: UInt64 = 3 << 30, modelResidentBytes: UInt64 = 600 << 20, pollInterval: Duration = .milliseconds(500)
    ) {
        self.engineConcurrency = engineConcurrency
        self.leaseSeconds = leaseSeconds
        self.heartbeatSeconds = heartbeatSeconds
        self.maxAttempts = maxAttempts
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.maxQueuedJobs = maxQueuedJobs
        self.memoryBudgetBytes = memoryBudgetBytes
        self.modelResidentBytes = modelResidentBytes
        self.pollInterval = pollInterval
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        var configuration = QueueConfiguration()
        if let value = environment["PARLEY_WORKERS"].flatMap(Int.init), value > 0 { configuration.engineConcurrency = value }
        if let value = environment["PARLEY_MAX_ATTEMPTS"].flatMap(Int.init), value > 0 { configuration.maxAttempts = value }
        if let value = environment["PARLEY_RETRY_DELAY"].flatMap(Double.init), value >= 0 { configuration.retryDelay = value }
        if let value = environment["PARLEY_LEASE_SECONDS"].flatMap(Double.init), value > 0 {
            configuration.leaseSeconds = value
            configuration.heartbeatSeconds = max(0.2, value / 6)
        }
        if let value = environment["PARLEY_MAX_QUEUED"].flatMap(Int.init), value > 0 { configuration.maxQueuedJobs = value }
        if let hours = environment["PARLEY_MAX_AUDIO_HOURS"].flatMap(Double.init), hours >= 0 {
            configuration.maxAudioSeconds = hours > 0 ? hours * 3600 : nil
        }
        if environment["PARLEY_LOCAL_WORKERS"] == "0" { configuration.localWorkers = false }
        configuration.localModels = Set(
            (environment["PARLEY_LOCAL_MODELS"] ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if let value = environment["PARLEY_MEMORY_BUDGET_MB"].flatMap(UInt64.init), value > 0 {
            configuration.memoryBudgetBytes = value << 20
        }
        return configuration
    }

    /// Exponential backoff with full jitter: spreads retries of many failed jobs apart.
    func retryDelay(afterAttempt attempt: Int) -> Double {
        let ceiling = min(maxRetryDelay, retryDelay * pow(2, Double(max(attempt - 1, 0))))
        return ceiling / 2 + Double.random(in: 0...(ceiling / 2))
    }
}
