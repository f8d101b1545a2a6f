/// What one sync pass did, for the CLI, scripts (`--json`) and the benchmark.
public struct SyncReport: Codable, Sendable, Equatable {
    public var uploaded = 0
    /// Found on the server already (by id or hash): nothing sent.
    public var alreadyOnServer = 0
    public var completed = 0
    public var failed: [String] = []
    public var missingFiles: [String] = []
    public var requeued = 0
    public var offloaded = 0
    public var bytesSent: Int64 = 0
    public var requests = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case uploaded, completed, failed, requeued, offloaded, requests
        case alreadyOnServer = "already_on_server"
        case missingFiles = "missing_files"
        case bytesSent = "bytes_sent"
    }
}

/// Progress of a sync pass, for progress bars.
public struct SyncProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case reconciling, uploading, processing, offloading
    }

    public var phase: Phase
    public var done: Double
    public var total: Double
    public var detail: String
}

public typealias SyncProgressHandler = @Sendable (SyncProgress) -> Void
