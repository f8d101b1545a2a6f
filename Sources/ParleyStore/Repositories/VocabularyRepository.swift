import Foundation
import GRDB
import ParleyAPI

/// The vocabularies: a user's own and a workspace's, and the terms a meeting is
/// transcribed with (its owner's, then its workspace's when shared, without repeats).
public struct VocabularyRepository: Sendable {
    public enum Owner: Sendable, Equatable {
        case user(String)
        case workspace(String)

        var kind: String {
            switch self {
            case .user: "user"
            case .workspace: "workspace"
            }
        }

        var id: String {
            switch self {
            case .user(let id), .workspace(let id): id
            }
        }
    }

    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    public func vocabulary(of owner: Owner) async throws -> Vocabulary {
        try await database.pool.read { db in try Self.vocabulary(of: owner, in: db) }
    }

    /// Replaces the list (already normalised by the caller).
    public func save(_ terms: [String], for owner: Owner, by userId: String) async throws -> Vocabulary {
        let now = StoreClock.now()
        let encoded = String(decoding: try JSONEncoder().encode(terms), as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO vocabulary (owner_kind, owner_id, terms, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (owner_kind, owner_id) DO UPDATE SET terms = excluded.terms, updated_at = excluded.updated_at,
                        updated_by = excluded.updated_by
                    """, arguments: [owner.kind, owner.id, encoded, now, userId])
        }
        return Vocabulary(terms: terms, updatedAt: StoreClock.iso8601(now))
    }

    /// What Whisper is told for this meeting; empty when nobody wrote a vocabulary.
    public func terms(forMeeting meetingId: String) async throws -> [String] {
        try await database.pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT owner_id, workspace_id, is_personal FROM meeting WHERE id = ?",
                    arguments: [meetingId])
            else { return [] }
            var owners: [Owner] = [.user(row["owner_id"])]
            if let workspace: String = row["workspace_id"], !(row["is_personal"] as Bool) { owners.append(.workspace(workspace)) }
            var seen = Set<String>()
            return try owners.flatMap { try Self.vocabulary(of: $0, in: db).terms }.filter { seen.insert($0.lowercased()).inserted }
        }
    }

    static func vocabulary(of owner: Owner, in db: Database) throws -> Vocabulary {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT terms, updated_at FROM vocabulary WHERE owner_kind = ? AND owner_id = ?",
                arguments: [owner.kind, owner.id])
        else { return Vocabulary(terms: []) }
        let terms = (try? JSONDecoder().decode([String].self, from: Data((row["terms"] as String).utf8))) ?? []
        return Vocabulary(terms: terms, updatedAt: StoreClock.iso8601(row["updated_at"]))
    }
}
