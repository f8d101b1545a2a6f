import Foundation
import GRDB
import ParleyVectorMath

/// The sentence vectors of searchable lines, kept in memory per process as int8 codes
/// (~400 bytes a line with its id, scale and speaker: 160 MB for 400k lines, half the
/// float16 blobs), so a search by meaning scans a compact matrix instead of reading and
/// decoding every line's blob from SQLite. Meetings are loaded when first searched and
/// again when their `search_version` (bumped by triggers on every write to their search
/// rows or vectors) differs from the one loaded; deleted meetings are dropped once the
/// catalog holds more meetings than exist. Which meetings a search may look at is decided
/// by the caller, from the database, each time: nothing here knows who may see what.
public actor VectorCatalog {
    /// One meeting's lines: ids, speaker of each line (index into `speakers`), and the
    /// codes row after row with one scale per row (value ≈ code × scale).
    struct Block: Sendable {
        var version: Int64
        var ids: [Int64] = []
        var speakerIndex: [UInt16] = []
        var speakers: [(id: String, name: String)] = []
        var codes: [Int8] = []
        var scales: [Float] = []
    }

    private var blocks: [String: Block] = [:]
    private var loading: Task<Loaded, any Error>?

    /// What one load read: the meetings' lines, and how many meetings exist (to notice deletions).
    struct Loaded: Sendable {
        var blocks: [String: Block]
        var meetings: Int
    }
    private(set) var dimension = 0

    public init() {}

    /// Brings the listed meetings (id → search_version) up to date from the database.
    /// One load at a time: a search that arrives during a load waits for it and then
    /// loads only what is still stale, so a cold start reads each meeting once.
    func refresh(_ wanted: [String: Int64], database: ParleyDatabase) async throws {
        while let pending = loading { _ = try? await pending.value }
        let stale = wanted.filter { blocks[$0.key]?.version != $0.value }.map(\.key)
        guard !stale.isEmpty else { return }
        let task = Task { try await Self.read(stale, from: database) }
        loading = task
        defer { loading = nil }
        let loaded = try await task.value
        for (meetingId, block) in loaded.blocks { blocks[meetingId] = block }
        if let any = loaded.blocks.values.first(where: { !$0.ids.isEmpty }) {
            dimension = any.codes.count / any.ids.count
        }
        if blocks.count > loaded.meetings {
            // Some meetings were deleted: forget their lines.
            let existing = Set(try await database.pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM meeting") })
            blocks = blocks.filter { existing.contains($0.key) }
        }
    }

    /// The `count` lines of the listed meetings nearest to `query` (a unit vector), by
    /// the int8 codes' dot product: candidates for an exact float16 rescoring. `speaker`
    /// keeps only lines whose speaker id is it or whose name is it (ignoring case).
    func nearest(_ query: [Float], in meetings: [String], speaker: String?, count: Int) -> [Candidate] {
        guard query.count == dimension, dimension > 0, count > 0 else { return [] }
        let (codes, scale) = VectorMath.quantize(query)
        var best = TopK(capacity: count)
        for meetingId in meetings {
            guard let block = blocks[meetingId], !block.ids.isEmpty else { continue }
            let allowed: [Bool]? = speaker.map { wanted in
                block.speakers.map { $0.id == wanted || $0.name.lowercased() == wanted.lowercased() }
            }
            VectorMath.scan(query: codes, scale: scale, codes: block.codes, scales: block.scales, ids: block.ids,
                            speakerIndex: block.speakerIndex, allowed: allowed, into: &best)
        }
        return best.sorted()
    }

    static func read(_ meetingIds: [String], from database: ParleyDatabase) async throws -> Loaded {
        try await database.pool.read { db in
            Loaded(blocks: try load(meetingIds, in: db), meetings: try Int.fetchOne(db, sql: "SELECT count(*) FROM meeting") ?? 0)
        }
    }

    /// Reads the lines that search by meaning covers (transcript lines and summary
    /// sentences with a stored vector) of these meetings, with their current versions.
    static func load(_ meetingIds: [String], in db: Database) throws -> [String: Block] {
        var blocks: [String: Block] = [:]
        for chunk in stride(from: 0, to: meetingIds.count, by: 500).map({ Array(meetingIds[$0..<min($0 + 500, meetingIds.count)]) }) {
            let marks = MeetingRepository.placeholders(chunk.count)
            for row in try Row.fetchAll(db, sql: "SELECT id, search_version FROM meeting WHERE id IN (\(marks))",
                                        arguments: StatementArguments(chunk)) {
                blocks[row["id"]] = Block(version: row["search_version"])
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT s.id, s.meeting_id, s.speaker_id, s.speaker_name, v.vector
                FROM segment s JOIN text_vector v ON v.meeting_id = s.meeting_id AND v.text_hash = s.text_hash
                WHERE s.meeting_id IN (\(marks)) AND s.kind IN ('transcript', 'summary')
                ORDER BY s.meeting_id, s.id
                """, arguments: StatementArguments(chunk))
            while let row = try rows.next() {
                let meetingId: String = row["meeting_id"]
                guard var block = blocks.removeValue(forKey: meetingId) else { continue }
                let speaker = (id: row["speaker_id"] as String, name: row["speaker_name"] as String)
                let index = block.speakers.firstIndex { $0 == speaker } ?? {
                    block.speakers.append(speaker)
                    return block.speakers.count - 1
                }()
                let (codes, scale) = VectorMath.quantize(float16: row["vector"] as Data)
                guard block.ids.isEmpty || codes.count * block.ids.count == block.codes.count, index < 65_536 else {
                    blocks[meetingId] = block
                    continue  // a vector of another size (another model) or too many speakers: not searchable
                }
                block.ids.append(row["id"])
                block.speakerIndex.append(UInt16(index))
                block.codes.append(contentsOf: codes)
                block.scales.append(scale)
                blocks[meetingId] = block
            }
        }
        return blocks
    }
}
