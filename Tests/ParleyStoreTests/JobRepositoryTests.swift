import Foundation
import GRDB
import ParleyCore
import ParleyStore
import ParleyTesting
import Testing

@Suite struct JobRepositoryTests {
    func storeWithMeeting() async throws -> (TemporaryDatabase, MeetingRecord) {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        let meeting = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(1))
        _ = try await store.meetings.create(meeting, maxAttempts: 2)
        return (store, meeting)
    }

    @Test func creatingAMeetingQueuesItsFirstStage() async throws {
        let (store, meeting) = try await storeWithMeeting()
        let jobs = try await store.jobs.jobs(meetingId: meeting.id)
        #expect(jobs.map(\.stage) == [.normalize] && jobs.map(\.state) == [.queued])
    }

    @Test func aJobIsClaimedByExactlyOneWorker() async throws {
        let (store, _) = try await storeWithMeeting()
        let claims = try await withThrowingTaskGroup(of: JobRecord?.self) { group in
            for worker in 0..<8 {
                group.addTask { try await store.jobs.claim(worker: "w\(worker)", usesEngine: true, lease: 30) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(claims.compactMap { $0 }.count == 1)
        #expect(try await store.jobs.claim(worker: "late", usesEngine: false, lease: 30) == nil)
    }

    @Test func completingAStageStoresItsResultAndQueuesTheNext() async throws {
        let (store, meeting) = try await storeWithMeeting()
        var job = try #require(try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30))
        #expect(try await store.jobs.complete(job, worker: "w", result: Data("{}".utf8), seconds: 1, maxAttempts: 2))
        #expect(try await store.jobs.result(meetingId: meeting.id, stage: .normalize) == Data("{}".utf8))
        for stage in ProcessingStage.allCases.dropFirst() {
            job = try #require(try await store.jobs.claim(worker: "w", usesEngine: stage.usesEngine, lease: 30))
            #expect(job.stage == stage)
            #expect(try await store.jobs.complete(job, worker: "w", result: Data("{}".utf8), seconds: 1, maxAttempts: 2))
        }
        #expect(try await store.meetings.meeting(id: meeting.id)?.status == .synced)
    }

    @Test func aWorkerThatLostItsLeaseCannotStoreAResult() async throws {
        let (store, meeting) = try await storeWithMeeting()
        let job = try #require(try await store.jobs.claim(worker: "dead", usesEngine: true, lease: -1))
        #expect(try await store.jobs.recoverExpiredLeases() == 1)
        let retaken = try #require(try await store.jobs.claim(worker: "alive", usesEngine: true, lease: 30))
        #expect(retaken.id == job.id && retaken.attempts == 2)
        #expect(try await store.jobs.complete(job, worker: "dead", result: Data("{}".utf8), seconds: 1, maxAttempts: 2) == false)
        #expect(try await store.jobs.heartbeat(jobId: job.id!, worker: "dead", lease: 30, progress: 0.5) == false)
        #expect(try await store.jobs.heartbeat(jobId: job.id!, worker: "alive", lease: 30, progress: 0.5))
        #expect(try await store.jobs.result(meetingId: meeting.id, stage: .normalize) == nil)
    }

    @Test func failuresRetryWithBackoffThenFailTheMeetingWithAReason() async throws {
        let (store, meeting) = try await storeWithMeeting()
        var job = try #require(try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30))
        try await store.jobs.fail(job, worker: "w", error: "engine crashed", retryable: true, retryDelay: 60)
        #expect(try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30) == nil)  // not before its delay
        #expect(try await store.meetings.meeting(id: meeting.id)?.status == .queued)
        try await store.database.pool.write { db in try db.execute(sql: "UPDATE job SET run_after = 0") }
        job = try #require(try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30))
        try await store.jobs.fail(job, worker: "w", error: "engine crashed", retryable: true, retryDelay: 0)
        let failed = try #require(try await store.meetings.meeting(id: meeting.id))
        #expect(failed.status == .failed)
        #expect(failed.failureReason == "normalize: engine crashed")
        #expect(try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30) == nil)
    }

    @Test func aNonRetryableFailureFailsAtOnce() async throws {
        let (store, meeting) = try await storeWithMeeting()
        let job = try #require(try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30))
        try await store.jobs.fail(job, worker: "w", error: "not an audio file", retryable: false, retryDelay: 0)
        #expect(try await store.meetings.meeting(id: meeting.id)?.status == .failed)
    }

    @Test func cancelStopsQueuedAndRunningWorkAndReprocessingStartsAgain() async throws {
        let (store, meeting) = try await storeWithMeeting()
        let job = try #require(try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30))
        #expect(try await store.jobs.cancel(meetingId: meeting.id) == [job.id!])
        #expect(try await store.meetings.meeting(id: meeting.id)?.failureReason == "cancelled")
        #expect(try await store.jobs.complete(job, worker: "w", result: Data(), seconds: 1, maxAttempts: 2) == false)
        #expect(try await store.jobs.requeue(meetingId: meeting.id, from: .normalize, maxAttempts: 2))
        #expect(try await store.jobs.requeue(meetingId: meeting.id, from: .normalize, maxAttempts: 2) == false)
        #expect(try await store.meetings.meeting(id: meeting.id)?.status == .queued)
    }

    @Test func queuePositionCountsTheModelJobsAhead() async throws {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        var meetings: [MeetingRecord] = []
        for index in 0..<3 {
            let meeting = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(index))
            _ = try await store.meetings.create(meeting, maxAttempts: 2)
            meetings.append(meeting)
        }
        _ = try await store.jobs.claim(worker: "w", usesEngine: true, lease: 30)
        #expect(try await store.jobs.queuePosition(meetingId: meetings[0].id) == 0)
        #expect(try await store.jobs.queuePosition(meetingId: meetings[1].id) == 1)
        #expect(try await store.jobs.queuePosition(meetingId: meetings[2].id) == 2)
        #expect(try await store.jobs.waitingEngineJobs() == 2)
    }
}
