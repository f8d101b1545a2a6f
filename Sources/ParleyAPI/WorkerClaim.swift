import ParleyCore

/// `POST /api/v1/worker/claim`: what a `parley worker` can do. The server answers with a
/// `WorkerJob` as soon as a job it can run is queued, or 204 after `wait_seconds`.
public struct WorkerClaim: Codable, Sendable, Equatable {
    /// Stable for the life of the worker process (host, pid and a random part).
    public var workerId: String
    /// A name for people (the host name by default).
    public var name: String
    public var stages: [ProcessingStage]
    /// Model names the worker can run; a job that asks for a model goes only to a worker
    /// that lists it. A job that asks for none runs with the worker's default.
    public var models: [String]
    /// `cpu`, `cuda`, … (informational).
    public var device: String
    /// Longest the server holds the request open when nothing is queued (1–60 s, default 25).
    public var waitSeconds: Double?

    public init(
        workerId: String, name: String, stages: [ProcessingStage], models: [String], device: String,
        waitSeconds: Double? = nil
    ) {
        self.workerId = workerId
        self.name = name
        self.stages = stages
        self.models = models
        self.device = device
        self.waitSeconds = waitSeconds
    }
}
