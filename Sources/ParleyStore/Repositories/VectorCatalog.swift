import Foundation
import GRDB
import ParleyVectorMath

/// The sentence vectors of searchable lines, kept in memory per process as int8 codes
/// (~400 bytes a line with its id, scale and speaker: 160 MB for 400k lines, half the
/// float16 blobs), so a search by meaning scans a compact matrix instead of reading and
/// decoding every line's blob from SQLite. Meetings are keyed by their first search row's
/// id (`meeting.first_segment_id`: unique, never reused, and in the covering index a
/// search lists visible meetings from), loaded when first searched and again when their
/// `search_version` (bumped by triggers on every write to their rows or vectors) differs
/// from the one loaded. Re-indexed and deleted meetings' old entries are dropped once the
/// catalog holds more meetings than have rows. Which meetings a search may look at is
/// decided by the caller, from the database, each time: nothing here knows who may see what.
public actor VectorCatalog {
    /// One meeting's lines: ids, speaker of each line (index into `speakers`), and the
    /// codes row after row with one scale per row (value ≈ code × scale). A class, so a
    /// scan borrows it with one reference count instead of copying six arrays' references.
    final class Block: Sendable {
        let version: Int64
        let ids: [Int64]
        let speakerIndex: [UInt16]
        let speakers: [Speaker]
        let codes: [Int8]
        let scales: [Float]

        init(version: Int64, ids: [Int64], speakerIndex: [UInt16], speakers: [Speaker], codes: [Int8], scales: [Float]) {
            (self.version, self.ids, self.speakerIndex, self.speakers, self.codes, self.scales) =
                (version, ids, speakerIndex, speakers, codes, scales)
        }
    }

    struct Speaker: Sendable, Equatable {
        var id: String
        var name: String
    }

    /// What one load read: the meetings' lines, and how many meetings have rows.
    struct Loaded: Sendable {
        var blocks: [Int64: Block]
        var meetings: Int
    }

    private var blocks: [Int64: Block] = [:]
    private var loading: Task<Loaded, any Error>?
    private(set) var dimension = 0

    public init() {}

    /// Brings the listed meetings (first_segment_id → search_version) up to date. One load
    /// at a time: a search that arrives during a load waits for it and then loads only
    /// what is still stale, so a cold start reads each meeting once.
    func refresh(_ wanted: [Int64: Int64], database: ParleyDatabase) async throws {
        while let pending = loading { _ = try? await pending.value }
        let stale = wanted.filter { blocks[$0.key]?.version != $0.value }.map(\.key)
        guard !stale.isEmpty else { return }
        let task = Task { try await Self.read(stale, from: database) }
        loading = task
        defer { loading = nil }
        let loaded = try await task.value
        for (key, block) in loaded.blocks { blocks[key] = block }
        if let any = loaded.blocks.values.first(where: { !$0.ids.isEmpty }) {
            dimension = any.codes.count / any.ids.count
        }
        if blocks.count > loaded.meetings {
            let existing = Set(
                try await database.pool.read { db in
                    try Int64.fetchAll(db, sql: "SELECT first_segment_id FROM meeting WHERE first_segment_id IS NOT NULL")
                })
            blocks = blocks.filter { existing.contains($0.key) }
        }
    }

    /// The cached entries of the listed meetings (those with lines), for a scan that runs
    /// off the actor: searches neither wait for each other's scans nor block a refresh.
    func blocks(_ keys: [Int64]) -> (blocks: [Block], dimension: Int) {
        (keys.compactMap { key in blocks[key].flatMap { $0.ids.isEmpty ? nil : $0 } }, dimension)
    }

    /// The `count` lines of the listed meetings nearest to `query` (a unit vector), by
    /// the int8 codes' dot product: candidates for an exact float16 rescoring. `speaker`
    /// keeps only lines whose speaker id is it or whose name is it (ignoring case). Two
    /// halves are scanned at once: the scan is most of a warm search, and a server has
    /// more than one core.
    func nearest(_ query: [Float], in meetings: [Int64], speaker: String?, count: Int) async -> [Candidate] {
        let (blocks, dimension) = blocks(meetings)
        guard query.count == dimension, dimension > 0, count > 0, !blocks.isEmpty else { return [] }
        let (codes, scale) = VectorMath.quantize(query)
        let lines = blocks.reduce(0) { $0 + $1.ids.count }
        let parts = lines > 50_000 ? 2 : 1
        let bounds = (0...parts).map { blocks.count * $0 / parts }
        return await withTaskGroup(of: [Candidate].self) { group in
            for part in 0..<parts {
                let slice = blocks[bounds[part]..<bounds[part + 1]]
                group.addTask {
                    var best = TopK(capacity: count)
                    for block in slice {
                        let allowed: [Bool]? = speaker.map { wanted in
                            block.speakers.map { $0.id == wanted || $0.name.lowercased() == wanted.lowercased() }
                        }
                        VectorMath.scan(
                            query: codes, scale: scale, codes: block.codes, scales: block.scales, ids: block.ids,
                            speakerIndex: block.speakerIndex, allowed: allowed, into: &best)
                    }
                    return best.sorted()
                }
            }
            var merged = TopK(capacity: count)
            for await candidates in group { candidates.forEach { merged.add($0) } }
            return merged.sorted()
        }
    }

    static func read(_ keys: [Int64], from database: ParleyDatabase) async throws -> Loaded {
        try await database.pool.read { db in
            Loaded(
                blocks: try load(keys, in: db),
                meetings: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM meeting WHERE first_segment_id IS NOT NULL") ?? 0)
        }
    }

    /// Reads the lines that search by meaning covers (transcript lines and summary
    /// sentences with a stored vector) of these meetings, with their current versions.
    static func load(_ keys: [Int64], in db: Database) throws -> [Int64: Block] {
        var blocks: [Int64: Block] = [:]
        for start in stride(from: 0, to: keys.count, by: 500) {
            let chunk = keys[start..<min(start + 500, keys.count)].map(String.init).joined(separator: ",")
            var meetings: [String: (key: Int64, version: Int64)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, first_segment_id, search_version FROM meeting WHERE first_segment_id IN (\(chunk))
                    """)
            {
                meetings[row[0]] = (row[1], row[2])
            }
            var current: (meetingId: String, builder: Builder)?
            func finish() {
                if let (meetingId, builder) = current, let meeting = meetings[meetingId] {
                    blocks[meeting.key] = builder.block(version: meeting.version)
                }
            }
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.id, s.meeting_id, s.speaker_id, s.speaker_name, v.vector
                    FROM segment s JOIN text_vector v ON v.meeting_id = s.meeting_id AND v.text_hash = s.text_hash
                    WHERE s.meeting_id IN (\(MeetingRepository.placeholders(meetings.count)))
                      AND s.kind IN ('transcript', 'summary')
                    ORDER BY s.meeting_id, s.id
                    """, arguments: StatementArguments(Array(meetings.keys)))
            while let row = try rows.next() {
                let meetingId: String = row[1]
                if current?.meetingId != meetingId {
                    finish()
                    current = (meetingId, Builder())
                }
                current?.builder.add(id: row[0], speaker: Speaker(id: row[2], name: row[3]), vector: row[4])
            }
            finish()
            // Meetings with rows but no vectors yet: an empty entry, so they are not re-read each search.
            for meeting in meetings.values where blocks[meeting.key] == nil {
                blocks[meeting.key] = Builder().block(version: meeting.version)
            }
        }
        return blocks
    }

    /// Collects one meeting's lines while they are read.
    struct Builder {
        var ids: [Int64] = []
        var speakerIndex: [UInt16] = []
        var speakers: [Speaker] = []
        var codes: [Int8] = []
        var scales: [Float] = []

        mutating func add(id: Int64, speaker: Speaker, vector: Data) {
            let index =
                speakers.firstIndex(of: speaker)
                ?? {
                    speakers.append(speaker)
                    return speakers.count - 1
                }()
            let (rowCodes, scale) = VectorMath.quantize(float16: vector)
            // A vector of another size (another model) or too many speakers: not searchable.
            guard ids.isEmpty || rowCodes.count * ids.count == codes.count, index < 65_536 else { return }
            ids.append(id)
            speakerIndex.append(UInt16(index))
            codes.append(contentsOf: rowCodes)
            scales.append(scale)
        }

        func block(version: Int64) -> Block {
            Block(version: version, ids: ids, speakerIndex: speakerIndex, speakers: speakers, codes: codes, scales: scales)
        }
    }
}
