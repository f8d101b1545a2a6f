import ParleyCore

/// A job leased to a worker: what to run, on which audio, and how to keep the lease.
public struct WorkerJob: Codable, Sendable, Equatable {
    public var jobId: Int64
    public var meetingId: String
    public var stage: ProcessingStage
    /// Presented with every heartbeat and result; a lease that expired is not renewed.
    public var lease: String
    public var leaseSeconds: Double
    public var heartbeatSeconds: Double
    public var attempt: Int
    /// The model the meeting asked for (transcribe only); nil = the worker's default.
    public var model: String?
    /// Whisper settings of the server and the meeting (the worker keeps its own device and
    /// compute type): language, beam size, the profile (`auto` already resolved), and the
    /// owner's and workspace's vocabulary.
    public var language: String?
    public var beamSize: Int?
    public var profile: String?
    public var vocabulary: [String]?
    /// Whisper's initial prompt, when the request that made the meeting gave one.
    public var prompt: String?
    /// The original upload: fetch it from `GET /api/v1/worker/jobs/{id}/audio` and check it.
    public var audioSha256: String
    public var audioSize: Int64
    public var duration: Double?

    public init(
        jobId: Int64, meetingId: String, stage: ProcessingStage, lease: String, leaseSeconds: Double,
        heartbeatSeconds: Double, attempt: Int, model: String?, language: String?, beamSize: Int?, profile: String? = nil,
        vocabulary: [String]? = nil, prompt: String? = nil, audioSha256: String, audioSize: Int64, duration: Double?
    ) {
        self.jobId = jobId
        self.meetingId = meetingId
        self.stage = stage
        self.lease = lease
        self.leaseSeconds = leaseSeconds
        self.heartbeatSeconds = heartbeatSeconds
        self.attempt = attempt
        self.model = model
        self.language = language
        self.beamSize = beamSize
        self.profile = profile
        self.vocabulary = vocabulary
        self.prompt = prompt
        self.audioSha256 = audioSha256
        self.audioSize = audioSize
        self.duration = duration
    }
}
