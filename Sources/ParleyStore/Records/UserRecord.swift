import GRDB
import ParleyAPI

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
    /// The role of the token presented (sessions are always `user`).
    public var role: TokenRole = .user
    /// The token presented, when it was a bearer token: a worker's leases are tied to it.
    public var tokenId: String?
    /// May see server-wide operations (the connected workers).
    public var isAdmin = false

    public init(
        userId: String, name: String, workspaceIds: [String], role: TokenRole = .user, tokenId: String? = nil,
        isAdmin: Bool = false
    ) {
        self.userId = userId
        self.name = name
        self.workspaceIds = workspaceIds
        self.role = role
        self.tokenId = tokenId
        self.isAdmin = isAdmin
    }
}
