import Foundation
import GRDB
import ParleyAPI
import ParleyCore

/// Full-text search (SQLite FTS5, BM25) over transcripts, summaries, decisions, action
/// items, topics and speaker names, limited to what the viewer may see.
public struct SearchRepository: Sendable {
    public struct Filters: Sendable, Equatable {
        public var speaker: String?
        public var from: Double?
        public var to: Double?
        public var scope: String?
        public var status: MeetingStatus?
        public var limit: Int

        public init(
            speaker: String? = nil, from: Double? = nil, to: Double? = nil, scope: String? = nil,
            status: MeetingStatus? = nil, limit: Int = 50
        ) {
            self.speaker = speaker
            self.from = from
            self.to = to
            self.scope = scope
            self.status = status
            self.limit = limit
        }
    }

    let database: ParleyDatabase
    /// This process's in-memory copy of the line vectors (see `VectorCatalog`).
    let catalog: VectorCatalog

    public init(database: ParleyDatabase, catalog: VectorCatalog = VectorCatalog()) {
        self.database = database
        self.catalog = catalog
    }

    /// Keyword search in two steps: rank (bm25) only the matches the viewer may see and
    /// the filters allow, keeping the best `limit` ids; then read those rows, snippets and
    /// word times. Snippets and joins for every match were most of the cost before.
    public func search(_ query: String, viewer: Viewer, filters: Filters = .init()) async throws -> [SearchHit] {
        guard let match = Self.matchExpression(query) else { return [] }
        let terms = query.lowercased().split(whereSeparator: \.isWhitespace).map { $0.filter { $0.isLetter || $0.isNumber } }
        let limit = min(max(filters.limit, 1), 200)
        return try await database.pool.read { db in
            var ranked = try Self.rank(match, viewer: viewer, filters: filters, limit: limit, exact: false, in: db)
            var rows = try Self.details(match, ids: ranked.map(\.id), viewer: viewer, filters: filters, in: db)
            if rows.count < ranked.count {
                // The fast visibility test admitted a row the full one refuses: only possible
                // if a meeting's rows stopped being one range. Rank again the slow, sure way.
                ranked = try Self.rank(match, viewer: viewer, filters: filters, limit: limit, exact: true, in: db)
                rows = try Self.details(match, ids: ranked.map(\.id), viewer: viewer, filters: filters, in: db)
            }
            return ranked.compactMap { id, score in
                guard let row = rows[id] else { return nil }
                // Point at the first matching word, so a player lands on what was searched.
                let start = (row["word_times"] as String?).flatMap { WordTimes.firstMatch($0, terms: terms) } ?? row["start"]
                return SearchHit(
                    meetingId: row["meeting_id"], meetingTitle: row["title"], segmentId: id, kind: row["kind"],
                    start: start, end: row["end"], speakerId: row["speaker_id"], speakerName: row["speaker_name"],
                    snippet: row["snippet"], score: -score)
            }
        }
    }

    /// The best `limit` matching ids with their bm25 (lower is better), among rows the
    /// viewer may see. The visibility test comes first in the WHERE clause and bm25 is a
    /// result column, so SQLite ranks only the rows that passed it. The fast test finds a
    /// match's meeting by its id range in `meeting_segment_range` (a covering index: one
    /// seek, no row reads); `exact` (or any meeting whose rows are not one range) joins
    /// the segment and the meeting instead.
    static func rank(
        _ match: String, viewer: Viewer, filters: Filters, limit: Int, exact: Bool,
        in db: Database
    ) throws -> [(id: Int64, score: Double)] {
        let (meeting, meetingArguments) = meetingConditions(viewer: viewer, filters: filters)
        let speaker = speakerCondition(filters)
        let scattered =
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM meeting INDEXED BY meeting_scattered
                                   WHERE segment_count > 0 AND last_segment_id - first_segment_id + 1 != segment_count)
                    """) ?? true
        let sql: String
        var arguments: StatementArguments = [match]
        if exact || scattered {
            sql = """
                SELECT f.rowid, bm25(segment_fts) AS score
                FROM segment_fts f CROSS JOIN segment s ON s.id = f.rowid CROSS JOIN meeting m ON m.id = s.meeting_id
                WHERE segment_fts MATCH ? AND \((meeting + [speaker?.sql].compactMap { $0 }).joined(separator: " AND "))
                ORDER BY score, f.rowid LIMIT \(limit)
                """
        } else {
            sql = """
                SELECT f.rowid, bm25(segment_fts) AS score
                FROM segment_fts f \(speaker == nil ? "" : "CROSS JOIN segment s ON s.id = f.rowid")
                WHERE segment_fts MATCH ? AND (
                    SELECT m.last_segment_id >= f.rowid AND \(meeting.joined(separator: " AND "))
                    FROM meeting m INDEXED BY meeting_segment_range
                    WHERE m.first_segment_id <= f.rowid ORDER BY m.first_segment_id DESC LIMIT 1)
                    \(speaker.map { "AND \($0.sql)" } ?? "")
                ORDER BY score, f.rowid LIMIT \(limit)
                """
        }
        arguments += meetingArguments
        if let speaker { arguments += speaker.arguments }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { ($0[0], $0[1]) }
    }

    /// The rows of `ids` with their snippets, visibility and filters checked in full.
    /// `+rowid` keeps SQLite from handing the id list to FTS5, which would run the whole
    /// (prefix) query once per id; one pass that skips other rows is far cheaper. Here and
    /// in `rank`, CROSS JOIN keeps the full-text match the outer loop: without ANALYZE
    /// statistics SQLite may otherwise start from the owner's meetings.
    static func details(_ match: String, ids: [Int64], viewer: Viewer, filters: Filters, in db: Database) throws -> [Int64: Row] {
        guard !ids.isEmpty else { return [:] }
        let (conditions, arguments) = Self.conditions(viewer: viewer, filters: filters)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.meeting_id, m.title, s.kind, s.start, s.end, s.speaker_id, s.speaker_name, s.word_times,
                       snippet(segment_fts, 0, '<mark>', '</mark>', '…', 16) AS snippet
                FROM segment_fts CROSS JOIN segment s ON s.id = segment_fts.rowid CROSS JOIN meeting m ON m.id = s.meeting_id
                WHERE segment_fts MATCH ? AND +segment_fts.rowid IN (\(ids.map(String.init).joined(separator: ",")))
                  AND \(conditions.joined(separator: " AND "))
                """, arguments: [match] + arguments)
        return Dictionary(rows.map { ($0["id"] as Int64, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Who may see a row (the viewer's meetings and workspaces) and the filters, as SQL over
    /// `s` (segment) and `m` (meeting): the same for keyword and meaning search.
    static func conditions(viewer: Viewer, filters: Filters) -> ([String], StatementArguments) {
        var (conditions, arguments) = meetingConditions(viewer: viewer, filters: filters)
        if let speaker = speakerCondition(filters) {
            conditions.append(speaker.sql)
            arguments += speaker.arguments
        }
        return (conditions, arguments)
    }

    /// The part of `conditions` about the meeting alone (over `m`): decided per meeting,
    /// before any of its rows is looked at.
    static func meetingConditions(viewer: Viewer, filters: Filters) -> ([String], StatementArguments) {
        let visibility = MeetingRepository.visibility(viewer, table: "m")
        var conditions = [visibility.sql]
        var arguments = visibility.arguments
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

    /// The speaker filter, over `s` (segment).
    static func speakerCondition(_ filters: Filters) -> (sql: String, arguments: StatementArguments)? {
        filters.speaker.map { ("(s.speaker_id = ? OR s.speaker_name = ? COLLATE NOCASE)", [$0, $0]) }
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
