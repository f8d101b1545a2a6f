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
    /// Replaces the meeting's search rows with these (edits already applied).
    public var index: ProcessedMeeting?
    /// Sentence vectors (float16 little-endian) by the text they stand for.
    public var vectors: [String: Data] = [:]

    public init() {}

    func apply(to meetingId: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE meeting SET duration = COALESCE(?, duration), codec = COALESCE(?, codec),
                sample_rate = COALESCE(?, sample_rate), channels = COALESCE(?, channels),
                playback_path = COALESCE(?, playback_path), speakers_json = COALESCE(?, speakers_json),
                summary_preview = COALESCE(?, summary_preview)
            WHERE id = ?
            """, arguments: [duration, codec, sampleRate, channels, playbackPath, speakersJson, summaryPreview, meetingId])
        if let index {
            try SearchIndex.reindex(meetingId: meetingId, transcript: index.transcript, insights: index.insights, in: db)
        }
        for (text, vector) in vectors {
            try db.execute(sql: "INSERT OR REPLACE INTO text_vector (meeting_id, text_hash, vector) VALUES (?, ?, ?)",
                           arguments: [meetingId, textHash(text), vector])
        }
    }
}
