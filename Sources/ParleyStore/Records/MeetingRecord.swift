import GRDB
import ParleyCore

/// One recording the server holds, with its processing state.
public struct MeetingRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "meeting"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var ownerId: String
    public var clientId: String?
    public var workspaceId: String?
    public var isPersonal: Bool
    public var title: String
    public var recordedAt: Double?
    public var createdAt: Double
    public var updatedAt: Double
    public var sha256: String
    public var size: Int64
    public var originalName: String?
    public var contentType: String?
    public var status: MeetingStatus
    public var stage: ProcessingStage?
    public var progress: Double
    public var failureReason: String?
    public var duration: Double?
    public var codec: String?
    public var sampleRate: Int?
    public var channels: Int?
    /// Relative to the data directory.
    public var audioPath: String
    public var playbackPath: String?
    public var speakersJson: String?
    public var summaryPreview: String?

    public init(
        id: String, ownerId: String, clientId: String?, workspaceId: String?, isPersonal: Bool, title: String, recordedAt: Double?,
        createdAt: Double, updatedAt: Double, sha256: String, size: Int64, originalName: String?, contentType: String?,
        status: MeetingStatus, stage: ProcessingStage?, progress: Double, failureReason: String?, duration: Double?, codec: String?,
        sampleRate: Int?, channels: Int?, audioPath: String, playbackPath: String?, speakersJson: String?, summaryPreview: String?
    ) {
        self.id = id
        self.ownerId = ownerId
        self.clientId = clientId
        self.workspaceId = workspaceId
        self.isPersonal = isPersonal
        self.title = title
        self.recordedAt = recordedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.sha256 = sha256
        self.size = size
        self.originalName = originalName
        self.contentType = contentType
        self.status = status
        self.stage = stage
        self.progress = progress
        self.failureReason = failureReason
        self.duration = duration
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
        self.audioPath = audioPath
        self.playbackPath = playbackPath
        self.speakersJson = speakersJson
        self.summaryPreview = summaryPreview
    }
}
