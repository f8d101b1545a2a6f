import Foundation
import GRDB
import ParleyCore

/// What a finished stage writes onto its meeting, applied in the same transaction that
/// marks the stage done.
public struct MeetingPatch: Sendable, Equatable {
    public var duration: Double?
    public var codec: String?
    public var sampleRate: Int?
    public var channels: Int?
    public var playbackPath: String?
    public var speakersJson: String?
    public var summaryPreview: String?
    /// The transcript record's part this stage produced: the machine transcript
    /// (`attribute`) or the insights learned from it (`summarize`). Either way the search
    /// rows and speaker chips are rebuilt from the record with the user's edits applied,
    /// read inside the same transaction, so an edit made meanwhile is never indexed away.
    public var transcript: TranscriptWrite?
    /// Sentence vectors (float16 little-endian) by the text they stand for.
    public var vectors: [String: Data] = [:]

    public init() {}

    func apply(to meetingId: String, in db: Database) throws {
        try db.execute(
            sql: """
                UPDATE meeting SET duration = COALESCE(?, duration), codec = COALESCE(?, codec),
                    sample_rate = COALESCE(?, sample_rate), channels = COALESCE(?, channels),
                    playback_path = COALESCE(?, playback_path), speakers_json = COALESCE(?, speakers_json),
                    summary_preview = COALESCE(?, summary_preview)
                WHERE id = ?
                """, arguments: [duration, codec, sampleRate, channels, playbackPath, speakersJson, summaryPreview, meetingId])
        if let transcript {
            switch transcript {
            case .machine(let machine): try TranscriptRepository.store(machine, meetingId: meetingId, in: db)
            case .insights(let insights): try TranscriptRepository.store(insights, meetingId: meetingId, in: db)
            }
            if let processed = try TranscriptRepository.current(meetingId: meetingId, in: db) {
                try TranscriptRepository.refreshDerived(from: processed, meetingId: meetingId, in: db)
            }
        }
        for (text, vector) in vectors {
            try db.execute(
                sql: "INSERT OR REPLACE INTO text_vector (meeting_id, text_hash, vector) VALUES (?, ?, ?)",
                arguments: [meetingId, textHash(text), vector])
        }
    }
}

/// What a stage writes of a meeting's transcript record.
public enum TranscriptWrite: Sendable, Equatable {
    case machine(Transcript)
    case insights(MeetingInsights?)
}
