import GRDB
import ParleyCore

/// One recording in the local library, with where it is in its sync life.
public struct RecordingRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "recording"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// Stable id generated at import; the server knows it as the meeting's `client_id`.
    public var id: String
    public var title: String
    public var recordedAt: Double?
    public var duration: Double?
    public var sha256: String
    public var size: Int64
    /// Where the user's file was imported from (for reports only).
    public var sourcePath: String
    /// The library's own copy; nil once offloaded to the server.
    public var localPath: String?
    public var status: MeetingStatus
    public var failureReason: String?
    /// Whether a failed recording will be retried by the next sync.
    public var retryable: Bool
    public var attempts: Int
    public var nextAttemptAt: Double
    public var serverId: String?
    public var uploadUrl: String?
    public var uploadedBytes: Int64
    public var serverStage: String?
    public var serverProgress: Double
    public var transcriptJson: String?
    public var offloadedAt: Double?
    public var syncedAt: Double?
    public var createdAt: Double
    public var updatedAt: Double
}

/// One persisted status change, for `parley status` and debugging.
public struct StatusChange: Codable, Sendable, Equatable, FetchableRecord {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    public var fromStatus: MeetingStatus?
    public var toStatus: MeetingStatus
    public var reason: String?
    public var at: Double
}
