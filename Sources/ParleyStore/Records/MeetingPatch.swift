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
    /// Replaces the meeting's searchable segments.
    public var segments: [TranscriptionSegment]?
    /// Display names by speaker (custom names where the user gave one), for search.
    public var speakerNames: [String: String] = [:]

    public init() {}

    func apply(to meetingId: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE meeting SET duration = COALESCE(?, duration), codec = COALESCE(?, codec),
                sample_rate = COALESCE(?, sample_rate), channels = COALESCE(?, channels),
                playback_path = COALESCE(?, playback_path), speakers_json = COALESCE(?, speakers_json),
                summary_preview = COALESCE(?, summary_preview)
            WHERE id = ?
            """, arguments: [duration, codec, sampleRate, channels, playbackPath, speakersJson, summaryPreview, meetingId])
        guard let segments else { return }
        try db.execute(sql: "DELETE FROM segment WHERE meeting_id = ?", arguments: [meetingId])
        for (position, segment) in segments.enumerated() {
            try db.execute(sql: """
                INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [meetingId, position, segment.start, segment.end, segment.speakerID,
                                 speakerNames[segment.speakerID] ?? segment.speakerID, segment.text])
        }
    }
}
