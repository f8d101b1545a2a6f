import Crypto
import Foundation
import GRDB
import ParleyCore

/// Writes a meeting's searchable rows: every transcript segment, plus summary sentences,
/// decisions, action items and topics, each with the speaker's current name.
enum SearchIndex {
    static func reindex(meetingId: String, transcript: Transcript, insights: MeetingInsights?, in db: Database) throws {
        try db.execute(sql: "DELETE FROM segment WHERE meeting_id = ?", arguments: [meetingId])
        let name = transcript.speakerName
        let speakerID = { (reference: String) -> String in transcript.speaker(reference)?.id ?? reference }
        var position = 0
        func insert(_ kind: String, start: Double, end: Double, speaker: String, text: String, words: [TranscriptWord] = []) throws {
            let times = words.isEmpty ? nil : WordTimes.encode(words)
            try db.execute(
                sql: """
                    INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text, kind, word_times, text_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    meetingId, position, start, end, speakerID(speaker), name(speaker), text, kind, times,
                    textHash(text),
                ])
            position += 1
        }
        for segment in transcript.segments {
            try insert(
                "transcript", start: segment.start, end: segment.end, speaker: segment.speakerLabel, text: segment.text,
                words: segment.words)
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

/// The key a text's vector is stored under (see `text_vector`).
func textHash(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
}

/// The texts of a meeting that search by meaning embeds: transcript lines and summary
/// sentences (decisions and action items quote lines already embedded).
public enum SearchTexts {
    public static func of(_ processed: ProcessedMeeting) -> [String] {
        var seen = Set<String>()
        let texts = processed.transcript.segments.map(\.text) + (processed.insights?.summary.map(\.text) ?? [])
        return texts.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}

/// Compact word timings for a search row: "start word" per line.
enum WordTimes {
    static func encode(_ words: [TranscriptWord]) -> String {
        words.map { "\($0.start) \($0.word)" }.joined(separator: "\n")
    }

    /// Start of the first word beginning with one of `terms` (lower-cased, no punctuation).
    static func firstMatch(_ encoded: String, terms: [String]) -> Double? {
        for line in encoded.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let start = Double(parts[0]) else { continue }
            let word = parts[1].lowercased().filter { $0.isLetter || $0.isNumber }
            if terms.contains(where: { !$0.isEmpty && word.hasPrefix($0) }) { return start }
        }
        return nil
    }
}
