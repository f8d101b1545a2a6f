import Foundation
import GRDB
import ParleyCore

/// Full-text search (SQLite FTS5, BM25) over transcripts, summaries, decisions, action
/// items, topics and speaker names, limited to what the viewer may see.
public struct SearchRepository: Sendable {
    public struct Hit: Codable, Sendable, Equatable {
        public var meetingId: String
        public var meetingTitle: String
        public var segmentId: Int64
        public var kind: String
        public var start: Double
        public var end: Double
        public var speakerId: String
        public var speakerName: String
        public var snippet: String
        public var score: Double

        public init(meetingId: String, meetingTitle: String, segmentId: Int64, kind: String, start: Double, end: Double,
                    speakerId: String, speakerName: String, snippet: String, score: Double) {
            self.meetingId = meetingId
            self.meetingTitle = meetingTitle
            self.segmentId = segmentId
            self.kind = kind
            self.start = start
            self.end = end
            self.speakerId = speakerId
            self.speakerName = speakerName
            self.snippet = snippet
            self.score = score
        }

        enum CodingKeys: String, CodingKey {
            case kind, start, end, snippet, score
            case meetingId = "meeting_id"
            case meetingTitle = "meeting_title"
            case segmentId = "segment_id"
            case speakerId = "speaker_id"
            case speakerName = "speaker_name"
        }
    }

    public struct Filters: Sendable, Equatable {
        public var speaker: String?
        public var from: Double?
        public var to: Double?
        public var scope: String?
        public var status: MeetingStatus?
        public var limit: Int

        public init(speaker: String? = nil, from: Double? = nil, to: Double? = nil, scope: String? = nil,
                    status: MeetingStatus? = nil, limit: Int = 50) {
            self.speaker = speaker
            self.from = from
            self.to = to
            self.scope = scope
            self.status = status
            self.limit = limit
        }
    }

    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    public func search(_ query: String, viewer: Viewer, filters: Filters = .init()) async throws -> [Hit] {
        guard let match = Self.matchExpression(query) else { return [] }
        let terms = query.lowercased().split(whereSeparator: \.isWhitespace).map { $0.filter { $0.isLetter || $0.isNumber } }
        return try await database.pool.read { db in
            var (conditions, arguments) = Self.conditions(viewer: viewer, filters: filters)
            conditions.insert("segment_fts MATCH ?", at: 0)
            arguments = [match] + arguments
            return try Row.fetchAll(db, sql: """
                SELECT s.id, s.meeting_id, m.title, s.kind, s.start, s.end, s.speaker_id, s.speaker_name, s.word_times,
                       snippet(segment_fts, 0, '<mark>', '</mark>', '…', 16) AS snippet, bm25(segment_fts) AS score
                FROM segment_fts JOIN segment s ON s.id = segment_fts.rowid JOIN meeting m ON m.id = s.meeting_id
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY score LIMIT \(min(max(filters.limit, 1), 200))
                """, arguments: arguments).map { row in
                // Point at the first matching word, so a player lands on what was searched.
                let start = (row["word_times"] as String?).flatMap { WordTimes.firstMatch($0, terms: terms) } ?? row["start"]
                return Hit(meetingId: row["meeting_id"], meetingTitle: row["title"], segmentId: row["id"], kind: row["kind"],
                    start: start, end: row["end"], speakerId: row["speaker_id"], speakerName: row["speaker_name"],
                    snippet: row["snippet"], score: -(row["score"] as Double))
            }
        }
    }

    /// Who may see a row (the viewer's meetings and workspaces) and the filters, as SQL over
    /// `s` (segment) and `m` (meeting): the same for keyword and meaning search.
    static func conditions(viewer: Viewer, filters: Filters) -> ([String], StatementArguments) {
        let visibility = MeetingRepository.visibility(viewer, table: "m")
        var conditions = [visibility.sql]
        var arguments = visibility.arguments
        if let speaker = filters.speaker {
            conditions.append("(s.speaker_id = ? OR s.speaker_name = ? COLLATE NOCASE)")
            arguments += [speaker, speaker]
        }
        if let from = filters.from {
            conditions.append("COALESCE(m.recorded_at, m.created_at) >= ?")
            arguments += [from]
        }
        if let to = filters.to {
            conditions.append("COALESCE(m.recorded_at, m.created_at) <= ?")
            arguments += [to]
        }
        switch filters.scope {
        case "personal": conditions.append("m.is_personal = 1 AND m.owner_id = ?"); arguments += [viewer.userId]
        case "workspace": conditions.append("m.is_personal = 0")
        default: break
        }
        if let status = filters.status {
            conditions.append("m.status = ?")
            arguments += [status.rawValue]
        }
        return (conditions, arguments)
    }

    /// User text to a safe FTS5 expression: every word quoted (so operators and quotes in
    /// the query cannot cause syntax errors), all words required, the last one as a prefix.
    static func matchExpression(_ query: String) -> String? {
        let words = query.split(whereSeparator: { $0.isWhitespace || $0 == "\"" }).prefix(16)
            .map { $0.filter { !"*^():".contains($0) } }.filter { !$0.isEmpty }
        guard !words.isEmpty else { return nil }
        return words.enumerated().map { index, word in
            "\"\(word)\"" + (index == words.count - 1 ? "*" : "")
        }.joined(separator: " ")
    }
}
