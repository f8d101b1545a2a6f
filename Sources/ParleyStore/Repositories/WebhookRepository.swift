import Foundation
import GRDB
import ParleyAPI

/// Webhooks and their delivery log. Who may manage a webhook: its creator for one on their
/// own meetings; a workspace's admins for one on the workspace's meetings. Deliveries are
/// queued by the database itself (`WebhookSchema`) and sent by the server's dispatcher.
public struct WebhookRepository: Sendable {
    public enum Failure: Error, Equatable {
        case tooMany(Int)
        case notAdmin
    }

    /// A delivery whose time has come, with what sending it needs.
    public struct Due: Sendable {
        public var id: String
        public var url: String
        public var secret: String
        public var event: WebhookEvent
        public var meetingId: String
        public var meetingStatus: String
        public var attempts: Int
        /// Fixed at the first attempt, so every retry sends the same bytes.
        public var body: String?
        public var createdAt: Double
    }

    public static let maxPerUser = 20

    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    public func create(viewer: Viewer, url: String, workspaceId: String?, events: [WebhookEvent], secret: String) async throws -> Webhook {
        let id = UUID().uuidString.lowercased()
        let now = StoreClock.now()
        let stored = "," + events.map(\.rawValue).joined(separator: ",") + ","
        try await database.pool.write { db in
            if let workspaceId, try !Self.isAdmin(viewer.userId, of: workspaceId, in: db) { throw Failure.notAdmin }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook WHERE user_id = ?", arguments: [viewer.userId]) ?? 0
            guard count < Self.maxPerUser else { throw Failure.tooMany(Self.maxPerUser) }
            try db.execute(
                sql: """
                    INSERT INTO webhook (id, user_id, workspace_id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, viewer.userId, workspaceId, url, secret, stored, now])
        }
        return Webhook(id: id, url: url, workspaceId: workspaceId, events: events, createdAt: StoreClock.iso8601(now))
    }

    /// The webhooks the viewer manages, newest first.
    public func list(viewer: Viewer) async throws -> [Webhook] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhook WHERE \(Self.managedBy) ORDER BY created_at DESC, id
                    """, arguments: [viewer.userId, viewer.userId]
            ).map(Self.webhook)
        }
    }

    public func webhook(id: String, viewer: Viewer) async throws -> Webhook? {
        try await database.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM webhook WHERE id = ? AND \(Self.managedBy)",
                arguments: [id, viewer.userId, viewer.userId]
            ).map(Self.webhook)
        }
    }

    /// Deletes the webhook and its log. False when the viewer manages no such webhook.
    public func delete(id: String, viewer: Viewer) async throws -> Bool {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM webhook WHERE id = ? AND \(Self.managedBy)", arguments: [id, viewer.userId, viewer.userId])
            return db.changesCount == 1
        }
    }

    /// The newest deliveries first.
    public func deliveries(webhookId: String, limit: Int) async throws -> [WebhookDelivery] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhook_delivery WHERE webhook_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?
                    """, arguments: [webhookId, limit]
            ).compactMap { row in
                guard let event = WebhookEvent(rawValue: row["event"]), let state = WebhookDelivery.State(rawValue: row["state"])
                else { return nil }
                let next: Double = row["next_attempt_at"]
                return WebhookDelivery(
                    id: row["id"], event: event, meetingId: row["meeting_id"], state: state, attempts: row["attempts"],
                    lastStatus: row["last_status"], lastError: row["last_error"],
                    nextAttemptAt: state == .pending ? StoreClock.iso8601(next) : nil,
                    createdAt: StoreClock.iso8601(row["created_at"]),
                    finishedAt: (row["finished_at"] as Double?).map(StoreClock.iso8601))
            }
        }
    }

    /// Pending deliveries whose time has come, oldest first.
    public func due(limit: Int) async throws -> [Due] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.*, w.url, w.secret FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?
                    """, arguments: [StoreClock.now(), limit]
            ).compactMap { row in
                guard let event = WebhookEvent(rawValue: row["event"]) else { return nil }
                return Due(
                    id: row["id"], url: row["url"], secret: row["secret"], event: event, meetingId: row["meeting_id"],
                    meetingStatus: row["meeting_status"], attempts: row["attempts"], body: row["body"],
                    createdAt: row["created_at"])
            }
        }
    }

    /// The meeting as a payload describes it, if it still exists.
    public func meeting(id: String) async throws -> (title: String, failureReason: String?, duration: Double?)? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT title, failure_reason, duration FROM meeting WHERE id = ?", arguments: [id])
                .map { ($0["title"], $0["failure_reason"], $0["duration"]) }
        }
    }

    public func fix(body: String, deliveryId: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE webhook_delivery SET body = ? WHERE id = ? AND body IS NULL", arguments: [body, deliveryId])
        }
    }

    /// Records an attempt: delivered (a 2xx), or failed with a retry at `retryAt`, or failed
    /// for good (`retryAt` nil).
    public func record(deliveryId: String, delivered: Bool, status: Int?, error: String?, retryAt: Double?) async throws {
        let now = StoreClock.now()
        let state = delivered ? "delivered" : (retryAt == nil ? "failed" : "pending")
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE webhook_delivery SET attempts = attempts + 1, state = ?, last_status = ?, last_error = ?,
                        next_attempt_at = COALESCE(?, next_attempt_at), finished_at = ?
                    WHERE id = ? AND state = 'pending'
                    """,
                arguments: [
                    state, status, error.map { String($0.prefix(500)) }, retryAt,
                    state == "pending" ? nil : now, deliveryId,
                ])
        }
    }

    /// Queues `meeting.corrected` for every webhook that watches the meeting, inside the
    /// edit's own transaction. A delivery of the same kind still waiting for its first
    /// attempt already covers this edit, so a burst of corrections sends one.
    static func queueCorrected(meetingId: String, in db: Database) throws {
        let now = StoreClock.now()
        try db.execute(
            sql: """
                INSERT INTO webhook_delivery (id, webhook_id, event, meeting_id, meeting_status, next_attempt_at, created_at)
                SELECT lower(hex(randomblob(16))), w.id, 'meeting.corrected', m.id, m.status, ?, ?
                FROM webhook w JOIN meeting m ON m.id = ?
                WHERE instr(w.events, ',meeting.corrected,') > 0
                  AND ((w.workspace_id IS NULL AND w.user_id = m.owner_id) OR (m.is_personal = 0 AND w.workspace_id = m.workspace_id))
                  AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.webhook_id = w.id AND d.meeting_id = m.id
                                  AND d.event = 'meeting.corrected' AND d.state = 'pending' AND d.attempts = 0)
                """, arguments: [now, now, meetingId])
    }

    /// Its creator's own-meetings webhooks, and those of workspaces it administers (two `?`: the user id).
    static let managedBy = """
        ((workspace_id IS NULL AND user_id = ?) OR workspace_id IN
         (SELECT workspace_id FROM workspace_member WHERE user_id = ? AND role = 'admin'))
        """

    static func isAdmin(_ userId: String, of workspaceId: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT 1 FROM workspace_member WHERE workspace_id = ? AND user_id = ? AND role = 'admin'
                """, arguments: [workspaceId, userId]) ?? false
    }

    static func webhook(_ row: Row) -> Webhook {
        let events = (row["events"] as String).split(separator: ",").compactMap { WebhookEvent(rawValue: String($0)) }
        return Webhook(
            id: row["id"], url: row["url"], workspaceId: row["workspace_id"], events: events,
            createdAt: StoreClock.iso8601(row["created_at"]))
    }
}
