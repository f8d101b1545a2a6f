import GRDB
import ParleyCore

/// One stage of one meeting's processing, claimed by a worker under a lease.
public struct JobRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var meetingId: String
    public var stage: ProcessingStage
    public var state: JobState
    public var usesEngine: Bool
    public var attempts: Int
    public var maxAttempts: Int
    public var runAfter: Double
    public var leaseOwner: String?
    public var leaseExpires: Double?
    public var progress: Double
    public var lastError: String?
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    /// The model the meeting asked for (transcribe jobs only); nil = any worker's default.
    public var model: String?
    /// The lease owner that completed the job, to recognise a retried completion.
    public var finishedBy: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
