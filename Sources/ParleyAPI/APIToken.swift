/// One of a user's API tokens as `GET /api/v1/tokens` and `parley token list` show it:
/// never the token itself (only its hash is stored), but enough to recognise and revoke it.
public struct APIToken: Codable, Sendable, Equatable {
    public var id: String
    public var label: String?
    /// ISO 8601.
    public var createdAt: String
    /// Web sessions opened with this token (they end when it is revoked).
    public var sessions: Int
    /// True for the token that authenticated the request that listed it.
    public var current: Bool

    public init(id: String, label: String?, createdAt: String, sessions: Int, current: Bool) {
        self.id = id
        self.label = label
        self.createdAt = createdAt
        self.sessions = sessions
        self.current = current
    }
}
