import Foundation
import GRDB
import ParleyAPI
import ParleyCore

/// A meeting's transcript as the user sees it: the stored machine result with the user's
/// edits applied. Edits are appended, never rewritten, and the search rows, speaker
/// previews and voiceprints follow each one.
public struct TranscriptRepository: Sendable {
    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    /// The processed meeting with edits applied, or nil before the summarize stage ran.
    public func current(meetingId: String) async throws -> ProcessedMeeting? {
        try await database.pool.read { db in try Self.current(meetingId: meetingId, in: db) }
    }

    static func current(meetingId: String, in db: Database) throws -> ProcessedMeeting? {
        guard let stored = try String.fetchOne(db, sql: """
            SELECT result FROM stage_result WHERE meeting_id = ? AND stage = 'summarize'
            """, arguments: [meetingId])
        else { return nil }
        var processed = try JSONDecoder().decode(ProcessedMeeting.self, from: Data(stored.utf8))
        let machine = processed.transcript
        processed.transcript = machine.applying(try edits(meetingId: meetingId, in: db))
        processed.insights = processed.insights?.correcting(from: machine, to: processed.transcript)
        return processed
    }

    static func edits(meetingId: String, in db: Database) throws -> [TranscriptEdit] {
        try String.fetchAll(db, sql: "SELECT edit FROM speaker_edit WHERE meeting_id = ? ORDER BY id", arguments: [meetingId])
            .compactMap { try? JSONDecoder().decode(TranscriptEdit.self, from: Data($0.utf8)) }
    }

    public func edits(meetingId: String) async throws -> [TranscriptEdit] {
        try await database.pool.read { db in try Self.edits(meetingId: meetingId, in: db) }
    }

    /// Records `edits` by the user `actorId` and brings everything derived from the
    /// transcript up to date in the same transaction. Returns the edited meeting.
    public func apply(_ edits: [TranscriptEdit], meeting: MeetingRecord, by actorId: String) async throws -> ProcessedMeeting? {
        try await database.pool.write { db in
            for edit in edits {
                let encoded = String(decoding: try JSONEncoder().encode(edit), as: UTF8.self)
                try db.execute(sql: "INSERT INTO speaker_edit (meeting_id, edit, created_at) VALUES (?, ?, ?)",
                               arguments: [meeting.id, encoded, StoreClock.now()])
            }
            guard let processed = try Self.current(meetingId: meeting.id, in: db) else { return nil }
            try SearchIndex.reindex(
                meetingId: meeting.id, transcript: processed.transcript, insights: processed.insights, in: db)
            try db.execute(sql: "UPDATE meeting SET speakers_json = ?, updated_at = ? WHERE id = ?",
                           arguments: [try Self.previews(processed.transcript), StoreClock.now(), meeting.id])
            for edit in edits {
                try VoiceprintRepository.follow(edit, transcript: processed.transcript, meeting: meeting, actorId: actorId, in: db)
            }
            try WebhookRepository.queueCorrected(meetingId: meeting.id, in: db)
            return processed
        }
    }

    /// Those of `texts` that have no stored vector for this meeting yet.
    public func textsWithoutVectors(meetingId: String, among texts: [String]) async throws -> [String] {
        try await database.pool.read { db in
            let stored = Set(try String.fetchAll(db, sql: "SELECT text_hash FROM text_vector WHERE meeting_id = ?",
                                                 arguments: [meetingId]))
            return texts.filter { !stored.contains(textHash($0)) }
        }
    }

    /// Stores sentence vectors (float16 bytes) for texts of the meeting; a meeting deleted
    /// meanwhile stores nothing (its rows cascade away, and the insert finds no meeting).
    public func store(vectors: [String: Data], meetingId: String) async throws {
        guard !vectors.isEmpty else { return }
        try await database.pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM meeting WHERE id = ?", arguments: [meetingId]) ?? false else { return }
            for (text, vector) in vectors {
                try db.execute(sql: "INSERT OR REPLACE INTO text_vector (meeting_id, text_hash, vector) VALUES (?, ?, ?)",
                               arguments: [meetingId, textHash(text), vector])
            }
        }
    }

    /// Forgets the user's edits (when re-running diarization makes them meaningless).
    public func discardEdits(meetingId: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM speaker_edit WHERE meeting_id = ?", arguments: [meetingId])
        }
    }

    /// The dashboard's speaker chips, as JSON for the meeting row.
    public static func previews(_ transcript: Transcript) throws -> String {
        let previews = transcript.speakers.map {
            MeetingSummary.SpeakerPreview(id: $0.id, name: $0.name, color: $0.speakerColor, talkingTimePercentage: $0.talkingTimePercentage)
        }
        return String(decoding: try JSONEncoder().encode(previews), as: UTF8.self)
    }
}
