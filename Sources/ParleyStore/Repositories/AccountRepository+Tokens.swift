import Foundation
import GRDB
import ParleyAPI

/// Listing and revoking API tokens, for their owner (API) and for the administrator (CLI).
extension AccountRepository {
    /// The user's tokens, oldest first; `current` marks the one whose hash is `currentHash`.
    public func tokens(userId: String, current token: String? = nil) async throws -> [APIToken] {
        let currentHash = token.map(Self.hash)
        return try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.label, t.created_at, t.token_hash,
                           (SELECT COUNT(*) FROM web_session s WHERE s.token_id = t.id) AS sessions
                    FROM api_token t WHERE t.user_id = ? ORDER BY t.created_at, t.id
                    """, arguments: [userId]
            ).map { row in
                APIToken(
                    id: row["id"], label: row["label"], createdAt: StoreClock.iso8601(row["created_at"]),
                    sessions: row["sessions"], current: currentHash == row["token_hash"])
            }
        }
    }

    public func tokens(userName: String) async throws -> [APIToken] {
        guard let user = try await user(named: userName) else { throw Failure.unknownUser(userName) }
        return try await tokens(userId: user.id)
    }

    /// Deletes a token (and, by cascade, the web sessions opened with it). With `userId`,
    /// only that user's token: someone else's id is "not found", like an unknown one.
    @discardableResult
    public func revokeToken(id: String, userId: String? = nil) async throws -> Bool {
        try await database.pool.write { db in
            if let userId {
                try db.execute(sql: "DELETE FROM api_token WHERE id = ? AND user_id = ?", arguments: [id, userId])
            } else {
                try db.execute(sql: "DELETE FROM api_token WHERE id = ?", arguments: [id])
            }
            return db.changesCount > 0
        }
    }

    static func viewer(_ user: UserRecord, in db: Database) throws -> Viewer {
        let workspaces = try String.fetchAll(
            db, sql: "SELECT workspace_id FROM workspace_member WHERE user_id = ?", arguments: [user.id])
        let admin = try Bool.fetchOne(db, sql: "SELECT is_admin FROM user WHERE id = ?", arguments: [user.id]) ?? false
        return Viewer(userId: user.id, name: user.name, workspaceIds: workspaces, isAdmin: admin)
    }
}
