import Foundation
import GRDB
import ParleyCore

/// Named voices per user: stored when the user names a speaker, matched against the
/// speakers of later meetings to suggest names.
public struct VoiceprintRepository: Sendable {
    public struct Voiceprint: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var meetingId: String?
        public var speakerId: String?
        public var createdAt: String

        enum CodingKeys: String, CodingKey {
            case id, name
            case meetingId = "meeting_id"
            case speakerId = "speaker_id"
            case createdAt = "created_at"
        }
    }

    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    public func list(ownerId: String) async throws -> [Voiceprint] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, name, meeting_id, speaker_id, created_at FROM voiceprint WHERE owner_id = ? ORDER BY name, created_at
                    """, arguments: [ownerId]
            ).map {
                Voiceprint(
                    id: $0["id"], name: $0["name"], meetingId: $0["meeting_id"], speakerId: $0["speaker_id"],
                    createdAt: StoreClock.iso8601($0["created_at"]))
            }
        }
    }

    /// Deletes one of the owner's voiceprints; false if there is no such voiceprint.
    public func delete(id: String, ownerId: String) async throws -> Bool {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM voiceprint WHERE id = ? AND owner_id = ?", arguments: [id, ownerId])
            return db.changesCount > 0
        }
    }

    /// The owner's named embeddings, for matching.
    public func embeddings(ownerId: String) async throws -> [(name: String, embedding: [Float])] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, embedding FROM voiceprint WHERE owner_id = ?", arguments: [ownerId])
                .compactMap { row in
                    let text: String = row["embedding"]
                    guard let vector = try? JSONDecoder().decode([Float].self, from: Data(text.utf8)) else { return nil }
                    return (name: row["name"], embedding: vector)
                }
        }
    }

    /// Keeps the acting user's voiceprints in step with their naming edits: a name stores
    /// the voice, clearing the name (or rejecting a suggestion) removes what this meeting's
    /// speaker taught them. Only ever the actor's own store, whoever owns the meeting.
    static func follow(
        _ edit: TranscriptEdit, transcript: Transcript, meeting: MeetingRecord, actorId: String, in db: Database
    ) throws {
        let speakerID: String
        switch edit {
        case .rename(let id, _), .acceptSuggestion(let id), .rejectSuggestion(let id): speakerID = id
        case .merge, .reassign, .correctText, .revertText: return
        }
        try db.execute(
            sql: "DELETE FROM voiceprint WHERE owner_id = ? AND meeting_id = ? AND speaker_id = ?",
            arguments: [actorId, meeting.id, speakerID])
        guard let speaker = transcript.speakers.first(where: { $0.id == speakerID }), let name = speaker.customName,
            speaker.suggested != true, let embedding = speaker.embedding, !embedding.isEmpty
        else { return }
        try db.execute(
            sql: """
                INSERT INTO voiceprint (id, owner_id, name, embedding, meeting_id, speaker_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                UUID().uuidString.lowercased(), actorId, name,
                String(decoding: try JSONEncoder().encode(embedding), as: UTF8.self), meeting.id, speakerID,
                StoreClock.now(),
            ])
    }
}
