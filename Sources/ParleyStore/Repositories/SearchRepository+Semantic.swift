import Foundation
import GRDB
import ParleyAPI
import ParleyCore
import ParleyVectorMath

/// Search by meaning: cosine similarity between the query's sentence vector and the stored
/// vectors of the lines the viewer may see (see `semantic`), and hybrid search,
/// which fuses the keyword and the meaning rankings by reciprocal rank (k = 60), so a line
/// found both ways comes first and one found only one way still appears.
extension SearchRepository {
    public enum Mode: String, Sendable, CaseIterable {
        case keyword, semantic, hybrid
    }

    /// Search by meaning in two steps: the meetings the viewer may see (and the filters
    /// allow) are listed from the database, and only their lines are scored, by the int8
    /// copy in memory (`VectorCatalog`); the best few times `limit` are then read back with
    /// their float16 vectors, visibility and filters checked again in SQL, and scored
    /// exactly, so scores and the minimum are those of the stored vectors.
    public func semantic(_ query: [Float], viewer: Viewer, filters: Filters = .init(), minimumScore: Double = 0.2) async throws
        -> [SearchHit]
    {
        let limit = min(max(filters.limit, 1), 200)
        let (meeting, meetingArguments) = Self.meetingConditions(viewer: viewer, filters: filters)
        // Keyed by first_segment_id; the covering index answers without reading meeting rows.
        let versions = try await database.pool.read { db in
            var versions: [Int64: Int64] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT m.first_segment_id, m.search_version FROM meeting m INDEXED BY meeting_segment_range
                    WHERE m.first_segment_id IS NOT NULL AND \(meeting.joined(separator: " AND "))
                    """, arguments: meetingArguments)
            while let row = try rows.next() { versions[row[0]] = row[1] }
            return versions
        }
        try await catalog.refresh(versions, database: database)
        let candidates = await catalog.nearest(query, in: Array(versions.keys), speaker: filters.speaker, count: limit * 2 + 20)
        guard !candidates.isEmpty else { return [] }
        let order = Dictionary(candidates.enumerated().map { ($1.segmentId, $0) }, uniquingKeysWith: { first, _ in first })
        return try await database.pool.read { db in
            let (conditions, arguments) = Self.conditions(viewer: viewer, filters: filters)
            // CROSS JOIN fixes the order: the candidates first. Left to itself (no ANALYZE
            // statistics) SQLite may walk every meeting of the owner and probe each for all
            // candidate ids, which a profile showed as most of a search's time.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.meeting_id, m.title, s.kind, s.start, s.end, s.speaker_id, s.speaker_name, s.text, v.vector
                    FROM segment s CROSS JOIN meeting m ON m.id = s.meeting_id
                    CROSS JOIN text_vector v ON v.meeting_id = s.meeting_id AND v.text_hash = s.text_hash
                    WHERE s.id IN (\(candidates.map { String($0.segmentId) }.joined(separator: ",")))
                      AND s.kind IN ('transcript', 'summary') AND \(conditions.joined(separator: " AND "))
                    """, arguments: arguments)
            var scored: [(score: Double, order: Int, hit: SearchHit)] = []
            for row in rows {
                let score = Self.cosine(query, row["vector"] as Data)
                guard score >= minimumScore else { continue }
                scored.append(
                    (
                        score, order[row["id"]] ?? .max,
                        SearchHit(
                            meetingId: row["meeting_id"], meetingTitle: row["title"], segmentId: row["id"], kind: row["kind"],
                            start: row["start"], end: row["end"], speakerId: row["speaker_id"], speakerName: row["speaker_name"],
                            snippet: row["text"], score: score)
                    ))  // raw text, like the keyword snippets
            }
            return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.order < $1.order }.prefix(limit).map(\.hit)
        }
    }

    /// Reciprocal rank fusion of two rankings of the same kind of hits.
    /// Ties keep the order the hits were first seen in (keyword ranking first), so equal
    /// scores never come out in a different order from one request to the next.
    public static func fuse(keyword: [SearchHit], semantic: [SearchHit], limit: Int, k: Double = 60) -> [SearchHit] {
        var fused: [Int64: (score: Double, order: Int, hit: SearchHit)] = [:]
        for (rank, hit) in keyword.enumerated() where fused[hit.segmentId] == nil {
            fused[hit.segmentId] = (1 / (k + Double(rank + 1)), fused.count, hit)  // keyword hits keep their <mark> snippet
        }
        for (rank, hit) in semantic.enumerated() {
            let add = 1 / (k + Double(rank + 1))
            if let existing = fused[hit.segmentId] {
                fused[hit.segmentId] = (existing.score + add, existing.order, existing.hit)
            } else {
                fused[hit.segmentId] = (add, fused.count, hit)
            }
        }
        let ranked = fused.values.sorted { $0.score != $1.score ? $0.score > $1.score : $0.order < $1.order }
        return ranked.prefix(limit).map { entry in
            var hit = entry.hit
            hit.score = entry.score
            return hit
        }
    }

    /// Dot product of a unit query with a float16 unit vector.
    static func cosine(_ query: [Float], _ stored: Data) -> Double {
        VectorMath.dot(query, float16: stored)
    }
}
