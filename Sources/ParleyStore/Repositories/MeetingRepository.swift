import Foundation
import GRDB
import ParleyAPI
import ParleyCore

/// Meetings: creation without duplicates, visibility rules, dashboard lists.
public struct MeetingRepository: Sendable {
    public enum CreateOutcome: Sendable, Equatable {
        case created(MeetingRecord)
        /// The owner already has these bytes or this client id: nothing new was stored.
        case existing(MeetingRecord)
    }

    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    /// Inserts `meeting` and queues its first stage in one transaction, or returns the
    /// owner's meeting with the same hash or client id. The UNIQUE keys settle races.
    public func create(_ meeting: MeetingRecord, maxAttempts: Int) async throws -> CreateOutcome {
        do {
            return try await database.pool.write { db in try Self.createQueued(meeting, maxAttempts: maxAttempts, in: db) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            let existing = try await database.pool.read { db in try Self.duplicate(of: meeting, in: db) }
            guard let existing else { throw error }
            return .existing(existing)
        }
    }

    /// The one way a meeting comes to exist, for direct uploads and finished tus uploads
    /// alike: the owner's existing meeting for the same bytes or client id, else `meeting`
    /// inserted with its first stage queued, inside the caller's transaction.
    static func createQueued(_ meeting: MeetingRecord, maxAttempts: Int, in db: Database) throws -> CreateOutcome {
        if let existing = try duplicate(of: meeting, in: db) { return .existing(existing) }
        try meeting.insert(db)
        try JobRepository.enqueue(meetingId: meeting.id, stage: .normalize, maxAttempts: maxAttempts, in: db)
        return .created(meeting)
    }

    static func duplicate(of meeting: MeetingRecord, in db: Database) throws -> MeetingRecord? {
        try MeetingRecord.fetchOne(
            db,
            sql: """
                SELECT * FROM meeting WHERE owner_id = ? AND (sha256 = ? OR (client_id IS NOT NULL AND client_id = ?))
                """, arguments: [meeting.ownerId, meeting.sha256, meeting.clientId])
    }

    /// The meeting if `viewer` may see it; nil otherwise, so callers answer 404 and never
    /// reveal that someone else's meeting exists.
    public func meeting(id: String, viewer: Viewer) async throws -> MeetingRecord? {
        try await database.pool.read { db in
            let visibility = Self.visibility(viewer)
            return try MeetingRecord.fetchOne(
                db, sql: "SELECT * FROM meeting WHERE id = ? AND \(visibility.sql)",
                arguments: [id] + visibility.arguments)
        }
    }

    public func meeting(id: String) async throws -> MeetingRecord? {
        try await database.pool.read { db in try MeetingRecord.fetchOne(db, key: id) }
    }

    /// The viewer's own meeting with this server id.
    public func owned(by viewer: Viewer, meetingId: String) async throws -> MeetingRecord? {
        try await database.pool.read { db in
            try MeetingRecord.filter(Column("id") == meetingId && Column("owner_id") == viewer.userId).fetchOne(db)
        }
    }

    /// The viewer's own meeting by client id or by hash: the duplicate checks.
    public func owned(by viewer: Viewer, clientId: String? = nil, sha256: String? = nil) async throws -> MeetingRecord? {
        try await database.pool.read { db in
            if let clientId,
                let found = try MeetingRecord.filter(Column("owner_id") == viewer.userId && Column("client_id") == clientId)
                    .fetchOne(db)
            {
                return found
            }
            guard let sha256 else { return nil }
            return try MeetingRecord.filter(Column("owner_id") == viewer.userId && Column("sha256") == sha256).fetchOne(db)
        }
    }

    /// A page of meetings newest first, by keyset (created_at, id): constant cost per page
    /// however deep the user scrolls.
    public func summaries(
        viewer: Viewer, scope: MeetingScope, limit: Int, cursor: String?
    ) async throws -> Page<MeetingSummary> {
        let after = try cursor.map(PageCursor.decode)
        let limit = min(max(limit, 1), 200)
        return try await database.pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            switch scope {
            case .personal:
                conditions.append("owner_id = ? AND is_personal = 1")
                arguments += [viewer.userId]
            case .workspace:
                conditions.append("is_personal = 0 AND workspace_id IN (\(Self.placeholders(viewer.workspaceIds.count)))")
                arguments += StatementArguments(viewer.workspaceIds)
            case .all:
                let visibility = Self.visibility(viewer)
                conditions.append(visibility.sql)
                arguments += visibility.arguments
            }
            if let after {
                conditions.append("(created_at < ? OR (created_at = ? AND id < ?))")
                arguments += [after.createdAt, after.createdAt, after.id]
            }
            let rows = try MeetingRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM meeting WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
                    """, arguments: arguments)
            let page = rows.prefix(limit)
            let next = rows.count > limit ? page.last.map { PageCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
            return Page(items: page.map(\.summary), nextCursor: next)
        }
    }

    /// Identity of everything the owner holds (ids and hashes), for client reconciliation.
    public func synced(viewer: Viewer, limit: Int, cursor: String?) async throws -> Page<SyncedMeeting> {
        let after = try cursor.map(PageCursor.decode)
        let limit = min(max(limit, 1), 1000)
        return try await database.pool.read { db in
            let rows = try MeetingRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM meeting WHERE owner_id = ? AND id > ? ORDER BY id LIMIT \(limit + 1)
                    """, arguments: [viewer.userId, after?.id ?? ""])
            let page = rows.prefix(limit)
            let next = rows.count > limit ? page.last.map { PageCursor(createdAt: 0, id: $0.id).encoded } : nil
            return Page(
                items: page.map { SyncedMeeting(id: $0.id, clientID: $0.clientId, sha256: $0.sha256, status: $0.status) },
                nextCursor: next)
        }
    }

    public func delete(id: String) async throws {
        _ = try await database.pool.write { db in try MeetingRecord.deleteOne(db, key: id) }
    }

    /// The condition for "meetings `viewer` may see"; `table` qualifies the columns in joins.
    static func visibility(_ viewer: Viewer, table: String? = nil) -> (sql: String, arguments: StatementArguments) {
        let workspaces = viewer.workspaceIds
        let t = table.map { "\($0)." } ?? ""
        let sql =
            workspaces.isEmpty
            ? "\(t)owner_id = ?"
            : "(\(t)owner_id = ? OR (\(t)is_personal = 0 AND \(t)workspace_id IN (\(placeholders(workspaces.count)))))"
        return (sql, StatementArguments([viewer.userId] + workspaces))
    }

    static func placeholders(_ count: Int) -> String {
        count == 0 ? "NULL" : Array(repeating: "?", count: count).joined(separator: ",")
    }
}
