import Foundation
import GRDB
import ParleyAPI
import ParleyCore
import ParleyStore
import ParleyTesting
import Testing

/// Every search mode shows only what the viewer may see: their own meetings and their
/// workspaces' shared ones, decided from the database at each search, even though the
/// vectors are cached in memory for everyone and the keyword ranking finds a match's
/// meeting by its id range.
@Suite struct SearchVisibilityTests {
    struct World {
        let store: TemporaryDatabase
        let search: SearchRepository
        let alice: Viewer, bob: Viewer
        let alices: String, bobs: String, shared: String
    }

    /// Alice's personal meeting, Bob's personal meeting, and Bob's meeting shared in a
    /// workspace Alice belongs to; every line says "budget" and has the same vector.
    func world() async throws -> World {
        let store = try TemporaryDatabase()
        _ = try await store.viewer("alice")
        _ = try await store.viewer("bob")
        try await store.accounts.addMember(userName: "bob", workspace: "team")
        try await store.accounts.addMember(userName: "alice", workspace: "team")
        let alice = try await store.viewer("alice"), bob = try await store.viewer("bob")
        let team = try #require(try await store.accounts.workspaceId(named: "team"))
        let alices = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(1))
        let bobs = TemporaryDatabase.meeting(owner: bob, sha256: TemporaryDatabase.sha(2))
        let shared = TemporaryDatabase.meeting(owner: bob, sha256: TemporaryDatabase.sha(3), workspaceId: team)
        try await store.database.pool.write { db in
            for meeting in [alices, bobs, shared] {
                try meeting.insert(db)
                try Self.lines(meeting.id, count: 3, vector: 1, in: db)
            }
        }
        return World(
            store: store, search: SearchRepository(database: store.database), alice: alice, bob: bob,
            alices: alices.id, bobs: bobs.id, shared: shared.id)
    }

    /// Search rows with vectors, written the way the index stage writes them.
    static func lines(_ meetingId: String, count: Int, vector lane: Int, in db: Database) throws {
        for index in 0..<count {
            let hash = "\(meetingId)-\(index)"
            try db.execute(
                sql: """
                    INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text, kind, text_hash)
                    VALUES (?, ?, ?, ?, 'speaker_1', 'Ada', ?, 'transcript', ?)
                    """, arguments: [meetingId, index, Double(index), Double(index + 1), "the budget line \(index)", hash])
            try db.execute(
                sql: "INSERT OR REPLACE INTO text_vector (meeting_id, text_hash, vector) VALUES (?, ?, ?)",
                arguments: [meetingId, hash, unit(lane)])
        }
    }

    /// A float16 little-endian unit vector along one of 384 lanes.
    static func unit(_ lane: Int) -> Data {
        var data = Data(count: 384 * 2)
        let one = Float16(1).bitPattern.littleEndian
        data[lane * 2] = UInt8(one & 0xff)
        data[lane * 2 + 1] = UInt8(one >> 8)
        return data
    }

    static func query(_ lane: Int) -> [Float] {
        (0..<384).map { $0 == lane ? 1 : 0 }
    }

    func meetings(_ hits: [SearchHit]) -> Set<String> {
        Set(hits.map(\.meetingId))
    }

    @Test func everyModeShowsOnlyWhatTheViewerMaySee() async throws {
        let w = try await world()
        for _ in 0..<2 {  // the second round runs on the warm in-memory vectors
            #expect(meetings(try await w.search.search("budget", viewer: w.alice)) == [w.alices, w.shared])
            #expect(meetings(try await w.search.semantic(Self.query(1), viewer: w.alice)) == [w.alices, w.shared])
            #expect(meetings(try await w.search.search("budget", viewer: w.bob)) == [w.bobs, w.shared])
            #expect(meetings(try await w.search.semantic(Self.query(1), viewer: w.bob)) == [w.bobs, w.shared])
        }
        var personal = SearchRepository.Filters()
        personal.scope = "personal"
        #expect(meetings(try await w.search.semantic(Self.query(1), viewer: w.alice, filters: personal)) == [w.alices])
        #expect(meetings(try await w.search.search("budget", viewer: w.alice, filters: personal)) == [w.alices])
    }

    @Test func unsharingAMeetingHidesItAtOnce() async throws {
        let w = try await world()
        #expect(meetings(try await w.search.semantic(Self.query(1), viewer: w.alice)).contains(w.shared))
        try await w.store.database.pool.write { db in
            try db.execute(sql: "UPDATE meeting SET is_personal = 1 WHERE id = ?", arguments: [w.shared])
        }
        #expect(meetings(try await w.search.semantic(Self.query(1), viewer: w.alice)) == [w.alices])
        #expect(meetings(try await w.search.search("budget", viewer: w.alice)) == [w.alices])
    }

    @Test func newVectorsAreSearchedOnceWritten() async throws {
        let w = try await world()
        #expect(try await w.search.semantic(Self.query(7), viewer: w.alice).isEmpty)
        // Re-indexing Alice's meeting with other vectors: the cached copy must not be used.
        try await w.store.database.pool.write { db in
            try db.execute(sql: "DELETE FROM segment WHERE meeting_id = ?", arguments: [w.alices])
            try Self.lines(w.alices, count: 2, vector: 7, in: db)
        }
        let hits = try await w.search.semantic(Self.query(7), viewer: w.alice)
        #expect(meetings(hits) == [w.alices] && hits.count == 2)
        #expect(hits.allSatisfy { abs($0.score - 1) < 0.001 })
    }

    @Test func interleavedRowsStillRespectVisibility() async throws {
        // Rows of two meetings written alternately break the one-range-per-meeting layout
        // the fast keyword ranking relies on; search must notice and stay right.
        let w = try await world()
        try await w.store.database.pool.write { db in
            for index in 10..<14 {
                for meetingId in [w.alices, w.bobs] {
                    try db.execute(
                        sql: """
                            INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text, kind)
                            VALUES (?, ?, 0, 1, 'speaker_1', 'Ada', 'a later budget remark', 'transcript')
                            """, arguments: [meetingId, index])
                }
            }
        }
        let alices = try await w.search.search("remark", viewer: w.alice)
        #expect(meetings(alices) == [w.alices] && alices.count == 4)
        let bobs = try await w.search.search("remark", viewer: w.bob)
        #expect(meetings(bobs) == [w.bobs] && bobs.count == 4)
        #expect(meetings(try await w.search.search("budget", viewer: w.alice)) == [w.alices, w.shared])
    }
}
