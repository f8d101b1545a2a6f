import Foundation
import GRDB
import ParleyAPI

/// Web sign-in sessions. The browser holds a random session id (`pss_…`); the database
/// keeps only its SHA-256, the user, and the API token the session was opened with, so
/// revoking that token ends the session too. A session ends after `idleSeconds` without
/// use or `maxSeconds` after sign-in, whichever comes first, and when the user signs out.
public struct SessionRepository: Sendable {
    let database: ParleyDatabase
    public var idleSeconds: Double
    public var maxSeconds: Double

    public init(database: ParleyDatabase, idleSeconds: Double = 7 * 86_400, maxSeconds: Double = 30 * 86_400) {
        self.database = database
        self.idleSeconds = idleSeconds
        self.maxSeconds = maxSeconds
    }

    /// Opens a session for the holder of `token`; nil if the token is not valid, or is a
    /// worker's (a worker token opens no web UI).
    public func open(token: String) async throws -> (id: String, viewer: Viewer)? {
        guard let viewer = try await AccountRepository(database: database).authenticate(token: token),
            viewer.role == .user
        else { return nil }
        let id = "pss_" + AccountRepository.randomToken()
        let now = StoreClock.now()
        let opened = try await database.pool.write { db -> Bool in
            guard
                let tokenId = try String.fetchOne(
                    db, sql: "SELECT id FROM api_token WHERE token_hash = ?", arguments: [AccountRepository.hash(token)])
            else { return false }
            try db.execute(
                sql: """
                    INSERT INTO web_session (id_hash, user_id, token_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [AccountRepository.hash(id), viewer.userId, tokenId, now, now])
            return true
        }
        return opened ? (id, viewer) : nil
    }

    /// The viewer behind a live session id, or nil (unknown, expired, revoked). Marks the
    /// session used at most once a minute, so reads stay reads.
    public func resolve(_ id: String) async throws -> Viewer? {
        let hash = AccountRepository.hash(id)
        let now = StoreClock.now()
        // Session and user in one read: this runs for every request that carries the cookie.
        guard
            let found = try await database.pool.read({ db -> (created: Double, seen: Double, viewer: Viewer?)? in
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT user_id, created_at, last_seen_at FROM web_session WHERE id_hash = ?", arguments: [hash])
                else { return nil }
                let viewer = try UserRecord.fetchOne(db, key: row["user_id"] as String).map { try AccountRepository.viewer($0, in: db) }
                return (row["created_at"], row["last_seen_at"], viewer)
            })
        else { return nil }
        if now - found.seen > idleSeconds || now - found.created > maxSeconds {
            try await revoke(id)
            return nil
        }
        if now - found.seen > 60 {
            try await database.pool.write { db in
                try db.execute(sql: "UPDATE web_session SET last_seen_at = ? WHERE id_hash = ?", arguments: [now, hash])
            }
        }
        return found.viewer
    }

    public func revoke(_ id: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE id_hash = ?", arguments: [AccountRepository.hash(id)])
        }
    }

    /// Deletes every expired session (the janitor's sweep).
    public func sweep() async throws {
        let now = StoreClock.now()
        try await database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM web_session WHERE last_seen_at < ? OR created_at < ?",
                arguments: [now - idleSeconds, now - maxSeconds])
        }
    }
}
