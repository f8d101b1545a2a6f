import Foundation
import GRDB
import ParleyCore
import ParleyStore
import ParleyTesting
import Testing

/// The transcript as a record of its own (migration v11): written by `attribute`, its
/// insights by `summarize`, and moved there from the old summarize results on upgrade.
@Suite struct TranscriptRecordTests {
    static let transcript = Transcript(
        duration: 4, language: "en", model: "tiny.en",
        segments: [
            TranscriptionSegment(
                start: 0, end: 2, text: "We ship on Friday.", speakerLabel: "Speaker 1", confidence: 0.9,
                words: [])
        ],
        speakers: [
            Speaker(
                id: "SPEAKER_00", displayName: "Speaker 1", totalDuration: 2, talkingTimePercentage: 100,
                speakerColor: "#4477aa")
        ],
        speakerTurns: [SpeakerTurn(start: 0, end: 2, speakerID: "SPEAKER_00")], profile: "balanced")
    static let insights = MeetingInsights(
        summary: [.init(speakerID: "Speaker 1", text: "We ship on Friday.", start: 0, end: 2)], source: "offline")

    func processedMeeting(_ store: TemporaryDatabase) async throws -> MeetingRecord {
        let meeting = TemporaryDatabase.meeting(owner: try await store.viewer("alice"), sha256: TemporaryDatabase.sha(7))
        _ = try await store.meetings.create(meeting, maxAttempts: 2)
        for stage in ProcessingStage.allCases {
            let job = try #require(try await store.jobs.claim(worker: "w", stages: [stage], models: nil, lease: 30))
            var patch = MeetingPatch()
            if stage == .attribute { patch.transcript = .machine(Self.transcript) }
            if stage == .summarize { patch.transcript = .insights(Self.insights) }
            #expect(
                try await store.jobs.complete(
                    job, worker: "w", result: Data("{}".utf8), seconds: 1, maxAttempts: 2,
                    patch: patch))
        }
        return meeting
    }

    @Test func stagesWriteTheRecordAndARerunKeepsTheInsightsUntilReplaced() async throws {
        let store = try TemporaryDatabase()
        let meeting = try await processedMeeting(store)
        let transcripts = TranscriptRepository(database: store.database)
        #expect(
            try await transcripts.machine(meetingId: meeting.id)
                == ProcessedMeeting(
                    transcript: Self.transcript,
                    insights: Self.insights))
        // The keyword index was built from the record inside the completing transaction.
        let indexed = try await store.database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT text FROM segment WHERE meeting_id = ?", arguments: [meeting.id])
        }
        #expect(indexed.contains("We ship on Friday."))

        // A re-run from attribute writes revision 2; the old insights stay until summarize.
        #expect(try await store.jobs.requeue(meetingId: meeting.id, from: .attribute, maxAttempts: 2))
        let job = try #require(try await store.jobs.claim(worker: "w", stages: [.attribute], models: nil, lease: 30))
        var patch = MeetingPatch()
        var changed = Self.transcript
        changed.segments[0].text = "We ship on Monday."
        patch.transcript = .machine(changed)
        #expect(
            try await store.jobs.complete(
                job, worker: "w", result: Data("{}".utf8), seconds: 1, maxAttempts: 2,
                patch: patch))
        let row = try #require(
            try await store.database.pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT revision, model, profile FROM transcript WHERE meeting_id = ?",
                    arguments: [meeting.id])
            })
        #expect(row["revision"] as Int == 2 && row["model"] as String == "tiny.en" && row["profile"] as String == "balanced")
        let now = try #require(try await transcripts.machine(meetingId: meeting.id))
        #expect(now.transcript.segments[0].text == "We ship on Monday." && now.insights == Self.insights)
    }

    /// A database from before v11 kept `{transcript, insights}` in the summarize job's result.
    /// Upgrading moves a processed meeting's transcript to its table, and turns a meeting
    /// whose old summarize job had not run yet into one waiting for `attribute`.
    @Test func upgradingMovesOldSummarizeResultsIntoTranscripts() async throws {
        let store = try TemporaryDatabase()
        let processed = try await processedMeeting(store)
        let pending = TemporaryDatabase.meeting(owner: try await store.viewer("alice"), sha256: TemporaryDatabase.sha(8))
        _ = try await store.meetings.create(pending, maxAttempts: 2)
        let old = String(
            decoding: try JSONEncoder().encode(
                ProcessedMeeting(transcript: Self.transcript, insights: Self.insights)), as: UTF8.self)
        try await store.database.pool.write { db in
            try db.execute(
                sql: """
                    DROP TABLE transcript;
                    DELETE FROM grdb_migrations WHERE identifier = 'v11-transcripts';
                    DELETE FROM stage_result WHERE stage = 'attribute';
                    DELETE FROM job WHERE stage = 'attribute' OR meeting_id = ?;
                    UPDATE stage_result SET result = ? WHERE stage = 'summarize';
                    INSERT INTO job (meeting_id, stage, state, uses_engine, attempts, max_attempts, run_after, created_at)
                    VALUES (?, 'summarize', 'queued', 1, 0, 2, 0, 0);
                    UPDATE meeting SET stage = 'summarize', status = 'queued' WHERE id = ?;
                    """, arguments: [pending.id, old, pending.id, pending.id])
        }
        let upgraded = try ParleyDatabase(path: store.directory.appendingPathComponent("parley.sqlite").path)
        let jobs = JobRepository(database: upgraded)
        #expect(
            try await TranscriptRepository(database: upgraded).machine(meetingId: processed.id)
                == ProcessedMeeting(transcript: Self.transcript, insights: Self.insights))
        let summary = try #require(try await jobs.result(meetingId: processed.id, stage: .summarize))
        #expect(try JSONDecoder().decode([String: String?].self, from: summary) == ["source": "offline"])
        #expect(
            try await jobs.jobs(meetingId: processed.id).map(\.stage) == ProcessingStage.allCases.filter { $0 != .attribute } + [.attribute]
        )
        #expect(try await jobs.jobs(meetingId: processed.id).allSatisfy { $0.state == .done })
        #expect(try await jobs.jobs(meetingId: pending.id).map { "\($0.stage.rawValue) \($0.state.rawValue)" } == ["attribute queued"])
        #expect(try await MeetingRepository(database: upgraded).meeting(id: pending.id)?.stage == .attribute)
        #expect(try await TranscriptRepository(database: upgraded).machine(meetingId: pending.id) == nil)
    }
}
