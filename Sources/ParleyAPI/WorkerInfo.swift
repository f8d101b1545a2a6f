import ParleyCore

/// One connected worker, as `GET /api/v1/workers` lists it.
public struct WorkerInfo: Codable, Sendable, Equatable {
    public struct CurrentJob: Codable, Sendable, Equatable {
        public var jobId: Int64
        public var meetingId: String
        public var stage: ProcessingStage
        public var progress: Double

        public init(jobId: Int64, meetingId: String, stage: ProcessingStage, progress: Double) {
            self.jobId = jobId
            self.meetingId = meetingId
            self.stage = stage
            self.progress = progress
        }
    }

    public var workerId: String
    public var name: String
    /// The user the worker's token belongs to.
    public var user: String
    public var stages: [ProcessingStage]
    public var models: [String]
    public var device: String
    public var currentJob: CurrentJob?
    /// ISO 8601 time of the last claim, heartbeat or report.
    public var lastSeen: String
    public var jobsCompleted: Int

    public init(
        workerId: String, name: String, user: String, stages: [ProcessingStage], models: [String], device: String,
        currentJob: CurrentJob?, lastSeen: String, jobsCompleted: Int
    ) {
        self.workerId = workerId
        self.name = name
        self.user = user
        self.stages = stages
        self.models = models
        self.device = device
        self.currentJob = currentJob
        self.lastSeen = lastSeen
        self.jobsCompleted = jobsCompleted
    }
}
