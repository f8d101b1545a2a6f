import ParleyCore

/// One connected worker, as `GET /api/v1/workers` lists it.
public struct WorkerInfo: Codable, Sendable, Equatable {
    public struct CurrentJob: Codable, Sendable, Equatable {
        public var jobID: Int64
        public var meetingID: String
        public var stage: ProcessingStage
        public var progress: Double

        enum CodingKeys: String, CodingKey {
            case stage, progress
            case jobID = "job_id"
            case meetingID = "meeting_id"
        }

        public init(jobID: Int64, meetingID: String, stage: ProcessingStage, progress: Double) {
            self.jobID = jobID
            self.meetingID = meetingID
            self.stage = stage
            self.progress = progress
        }
    }

    public var workerID: String
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

    enum CodingKeys: String, CodingKey {
        case name, user, stages, models, device
        case workerID = "worker_id"
        case currentJob = "current_job"
        case lastSeen = "last_seen"
        case jobsCompleted = "jobs_completed"
    }

    public init(
        workerID: String, name: String, user: String, stages: [ProcessingStage], models: [String], device: String,
        currentJob: CurrentJob?, lastSeen: String, jobsCompleted: Int
    ) {
        self.workerID = workerID
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
