import GRDB

/// A tus upload in progress: its bytes live in `uploads/<id>.part` until complete.
public struct UploadRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "upload"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var ownerId: String
    public var length: Int64
    public var offset: Int64
    public var sha256: String
    public var clientId: String?
    public var title: String
    public var recordedAt: Double?
    public var workspaceId: String?
    public var isPersonal: Bool
    public var originalName: String?
    public var contentType: String?
    /// The raw `Upload-Metadata` header, echoed back on HEAD as tus asks.
    public var metadata: String
    public var createdAt: Double

    public init(
        id: String, ownerId: String, length: Int64, offset: Int64, sha256: String, clientId: String?, title: String, recordedAt: Double?,
        workspaceId: String?, isPersonal: Bool, originalName: String?, contentType: String?, metadata: String, createdAt: Double
    ) {
        self.id = id
        self.ownerId = ownerId
        self.length = length
        self.offset = offset
        self.sha256 = sha256
        self.clientId = clientId
        self.title = title
        self.recordedAt = recordedAt
        self.workspaceId = workspaceId
        self.isPersonal = isPersonal
        self.originalName = originalName
        self.contentType = contentType
        self.metadata = metadata
        self.createdAt = createdAt
    }
}
