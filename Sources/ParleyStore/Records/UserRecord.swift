import GRDB

/// A person with an account on the server.
public struct UserRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "user"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var name: String
    public var createdAt: Double
}

/// Who is asking, with the workspaces whose meetings they may see.
public struct Viewer: Sendable, Equatable {
    public var userId: String
    public var name: String
    public var workspaceIds: [String]

    public init(userId: String, name: String, workspaceIds: [String]) {
        self.userId = userId
        self.name = name
        self.workspaceIds = workspaceIds
    }
}
