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

    /// The processed meeting with edits applied, or nil before the attribute stage ran.
    public func current(meetingId: String) async throws -> ProcessedMeeting? {
        try await database.pool.read { db in try Self.current(meetingId: meetingId, in: db) }
    }

    /// The transcript as the machine produced it, without the user's edits (what a summary
    /// is made from: the edits are carried into the insights on read).
    public func machine(meetingId: String) async throws -> ProcessedMeeting? {
        try await database.pool.read { db in try Self.machine(meetingId: meetingId, in: db) }
    }

    static func current(meetingId: String, in db: Database) throws -> ProcessedMeeting? {
        guard var processed = try machine(meetingId: meetingId, in: db) else { return nil }
        let machine = processed.transcript
        processed.transcript = machine.applying(try edits(meetingId: meetingId, in: db))
        processed.insights = processed.insights?.correcting(from: machine, to: processed.transcript)
        return processed
    }

    static func machine(meetingId: String, in db: Database) throws -> ProcessedMeeting? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT body, insights FROM transcript WHERE meeting_id = ?", arguments: [meetingId])
        else { return nil }
        let body: String = row["body"]
        let insights: String? = row["insights"]
        return ProcessedMeeting(
            transcript: try JSONDecoder().decode(Transcript.self, from: Data(body.utf8)),
            insights: try insights.flatMap { try JSONDecoder().decode(MeetingInsights?.self, from: Data($0.utf8)) })
    }

    /// Writes the machine transcript the attribute stage produced (a new revision when the
    /// meeting had one), keeping the insights until the summarize stage replaces them.
    static func store(_ transcript: Transcript, meetingId: String, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO transcript (meeting_id, revision, model, profile, body, created_at) VALUES (?, 1, ?, ?, ?, ?)
                ON CONFLICT(meeting_id) DO UPDATE SET revision = revision + 1, model = excluded.model,
                    profile = excluded.profile, body = excluded.body, created_at = excluded.created_at
                """,
            arguments: [
                meetingId, transcript.model, transcript.profile,
                String(decoding: try JSONEncoder().encode(transcript), as: UTF8.self), StoreClock.now(),
            ])
    }

    /// Writes what the summarize stage learned (nil: nothing to summarize, or no summarizer)
    /// beside the transcript it was made from (the stage reads that before it runs).
    static func store(_ insights: MeetingInsights?, meetingId: String, in db: Database) throws {
        let encoded = try insights.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.execute(
            sql: "UPDATE transcript SET insights = ?, summarized_at = ? WHERE meeting_id = ?",
            arguments: [encoded, StoreClock.now(), meetingId])
    }

    /// Rebuilds what is derived from the transcript as edited so far: its search rows and
    /// the dashboard's speaker chips.
    static func refreshDerived(from processed: ProcessedMeeting, meetingId: String, in db: Database) throws {
        try SearchIndex.reindex(meetingId: meetingId, transcript: processed.transcript, insights: processed.insights, in: db)
        try db.execute(
            sql: "UPDATE meeting SET speakers_json = ? WHERE id = ?",
            arguments: [try previews(processed.transcript), meetingId])
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
                try db.execute(
                    sql: "INSERT INTO speaker_edit (meeting_id, edit, created_at) VALUES (?, ?, ?)",
                    arguments: [meeting.id, encoded, StoreClock.now()])
            }
            guard let processed = try Self.current(meetingId: meeting.id, in: db) else { return nil }
            try Self.refreshDerived(from: processed, meetingId: meeting.id, in: db)
            try db.execute(sql: "UPDATE meeting SET updated_at = ? WHERE id = ?", arguments: [StoreClock.now(), meeting.id])
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
            let stored = Set(
                try String.fetchAll(
                    db, sql: "SELECT text_hash FROM text_vector WHERE meeting_id = ?",
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
                try db.execute(
                    sql: "INSERT OR REPLACE INTO text_vector (meeting_id, text_hash, vector) VALUES (?, ?, ?)",
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
