import Foundation

/// How the supervisor runs the engine process. Every field has an environment variable so
/// a server operator can tune it without flags (see README, "Configuration").
public struct EngineConfiguration: Sendable, Equatable {
    /// The Python interpreter of the engine's virtual environment; nil = locate it.
    public var python: String?
    /// Memory cap on the engine's resident set, in bytes; nil = no cap.
    public var memoryLimitBytes: UInt64?
    /// Longest a single job may run before it is killed.
    public var jobTimeout: Duration
    /// Seconds of idleness after which the engine exits and its memory goes back to the
    /// OS: 0 = exit after every job, negative = stay up.
    public var idleTTL: Duration
    /// How long the engine may take to say `ready`.
    public var startTimeout: Duration
    /// Forward the engine's stderr log to ours.
    public var forwardLogs: Bool
    /// CPU niceness of the engine (0–19). A server runs it at 10 so the kernel always
    /// schedules request handling first on a small box.
    public var niceness: Int = 0

    public init(
        python: String? = nil, memoryLimitBytes: UInt64? = 4 << 30, jobTimeout: Duration = .seconds(3600),
        idleTTL: Duration = .seconds(300), startTimeout: Duration = .seconds(60), forwardLogs: Bool = false
    ) {
        self.python = python
        self.memoryLimitBytes = memoryLimitBytes
        self.jobTimeout = jobTimeout
        self.idleTTL = idleTTL
        self.startTimeout = startTimeout
        self.forwardLogs = forwardLogs
    }

    /// Defaults overridden by `PARLEY_ENGINE_PYTHON`, `PARLEY_ENGINE_MEMORY_MB`,
    /// `PARLEY_ENGINE_TIMEOUT` (s), `PARLEY_ENGINE_IDLE_TTL` (s), `PARLEY_ENGINE_NICE` and `PARLEY_ENGINE_LOG=1`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        var configuration = EngineConfiguration()
        configuration.python = environment["PARLEY_ENGINE_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        if let megabytes = environment["PARLEY_ENGINE_MEMORY_MB"].flatMap(Int.init) {
            configuration.memoryLimitBytes = megabytes > 0 ? UInt64(megabytes) << 20 : nil
        }
        if let seconds = environment["PARLEY_ENGINE_TIMEOUT"].flatMap(Double.init), seconds > 0 {
            configuration.jobTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = environment["PARLEY_ENGINE_IDLE_TTL"].flatMap(Double.init) {
            configuration.idleTTL = .milliseconds(Int64(seconds * 1000))
        }
        configuration.forwardLogs = environment["PARLEY_ENGINE_LOG"] == "1"
        if let nice = environment["PARLEY_ENGINE_NICE"].flatMap(Int.init) { configuration.niceness = min(max(nice, 0), 19) }
        return configuration
    }
}
