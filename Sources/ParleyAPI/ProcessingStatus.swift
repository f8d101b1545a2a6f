import ParleyCore

/// Where a meeting's processing is: per-stage progress, queue position, ETA.
public struct ProcessingStatus: Codable, Sendable, Equatable {
    public struct StageStatus: Codable, Sendable, Equatable {
        public var stage: ProcessingStage
        public var state: JobState?
        public var progress: Double
        public var attempts: Int
        public var lastError: String?
        /// Who ran (or runs) the stage: `server`, or a remote worker's id.
        public var worker: String?
        /// The model the stage's job asked for, when it asked for one.
        public var model: String?

        enum CodingKeys: String, CodingKey {
            case stage, state, progress, attempts, worker, model
            case lastError = "last_error"
        }

        public init(
            stage: ProcessingStage, state: JobState?, progress: Double, attempts: Int, lastError: String?,
            worker: String? = nil, model: String? = nil
        ) {
            self.stage = stage
            self.state = state
            self.progress = progress
            self.attempts = attempts
            self.lastError = lastError
            self.worker = worker
            self.model = model
        }
    }

    public var meetingID: String
    public var status: MeetingStatus
    public var stage: ProcessingStage?
    public var progress: Double
    public var stages: [StageStatus]
    /// Model jobs ahead of this one; 0 = running or next.
    public var queuePosition: Int?
    public var attempts: Int
    public var lastError: String?
    public var failureReason: String?
    /// Seconds until done, from the measured real-time factor of recent jobs.
    public var etaSeconds: Double?
    /// Why a queued meeting is not being processed yet, e.g. no connected worker has the
    /// model it asked for.
    public var waitingReason: String?

    enum CodingKeys: String, CodingKey {
        case status, stage, progress, stages, attempts
        case waitingReason = "waiting_reason"
        case meetingID = "meeting_id"
        case queuePosition = "queue_position"
        case lastError = "last_error"
        case failureReason = "failure_reason"
        case etaSeconds = "eta_seconds"
    }

    public init(
        meetingID: String, status: MeetingStatus, stage: ProcessingStage?, progress: Double, stages: [StageStatus],
        queuePosition: Int?, attempts: Int, lastError: String?, failureReason: String?, etaSeconds: Double?,
        waitingReason: String? = nil
    ) {
        self.waitingReason = waitingReason
        self.meetingID = meetingID
        self.status = status
        self.stage = stage
        self.progress = progress
        self.stages = stages
        self.queuePosition = queuePosition
        self.attempts = attempts
        self.lastError = lastError
        self.failureReason = failureReason
        self.etaSeconds = etaSeconds
    }
}

/// Audio facts for players and clients verifying their copy.
public struct AudioMetadata: Codable, Sendable, Equatable {
    public var duration: Double?
    public var codec: String?
    public var sampleRate: Int?
    public var channels: Int?
    public var size: Int64
    public var sha256: String
    public var contentType: String
    public var playbackAvailable: Bool

    enum CodingKeys: String, CodingKey {
        case duration, codec, channels, size, sha256
        case sampleRate = "sample_rate"
        case contentType = "content_type"
        case playbackAvailable = "playback_available"
    }

    public init(
        duration: Double?, codec: String?, sampleRate: Int?, channels: Int?, size: Int64, sha256: String,
        contentType: String, playbackAvailable: Bool
    ) {
        self.duration = duration
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
        self.size = size
        self.sha256 = sha256
        self.contentType = contentType
        self.playbackAvailable = playbackAvailable
    }
}
