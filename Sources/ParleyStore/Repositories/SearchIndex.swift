import GRDB
import ParleyCore

/// Writes a meeting's searchable rows: every transcript segment, plus summary sentences,
/// decisions, action items and topics, each with the speaker's current name.
enum SearchIndex {
    static func reindex(meetingId: String, transcript: Transcript, insights: MeetingInsights?, in db: Database) throws {
        try db.execute(sql: "DELETE FROM segment WHERE meeting_id = ?", arguments: [meetingId])
        let name = { (id: String) -> String in
            transcript.speakers.first { $0.displayName == id || $0.id == id }?.name ?? id
        }
        let speakerID = { (id: String) -> String in
            transcript.speakers.first { $0.displayName == id || $0.id == id }?.id ?? id
        }
        var position = 0
        func insert(_ kind: String, start: Double, end: Double, speaker: String, text: String) throws {
            try db.execute(sql: """
                INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text, kind)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [meetingId, position, start, end, speakerID(speaker), name(speaker), text, kind])
            position += 1
        }
        for segment in transcript.segments {
            try insert("transcript", start: segment.start, end: segment.end, speaker: segment.speakerID, text: segment.text)
        }
        guard let insights else { return }
        for sentence in insights.summary {
            try insert("summary", start: sentence.start, end: sentence.end, speaker: sentence.speakerID, text: sentence.text)
        }
        for sentence in insights.decisions {
            try insert("decision", start: sentence.start, end: sentence.end, speaker: sentence.speakerID, text: sentence.text)
        }
        for item in insights.actionItems {
            try insert("action_item", start: item.start, end: item.end, speaker: item.owner ?? "", text: item.text)
        }
        if !insights.keyTopics.isEmpty {
            try insert("topic", start: 0, end: 0, speaker: "", text: insights.keyTopics.joined(separator: "; "))
        }
    }
}
