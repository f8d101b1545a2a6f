import Foundation
import ParleyCore
import ParleyStore
import ParleyTesting
import Testing

/// Claims by stage and model (remote workers), and the checks their reports rely on.
@Suite struct JobRoutingTests {
    /// A meeting whose transcribe job is queued, asking for `model`.
    func transcribeQueued(model: String?) async throws -> (TemporaryDatabase, MeetingRecord) {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        let meeting = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(7))
        _ = try await store.meetings.create(meeting, maxAttempts: 2)
        try await store.jobs.requestModel(model, meetingId: meeting.id)
        let normalize = try #require(try await store.jobs.claim(worker: "server", stages: [.normalize], models: nil, lease: 30))
        #expect(try await store.jobs.complete(normalize, worker: "server", result: Data("{}".utf8), seconds: 1, maxAttempts: 2))
        return (store, meeting)
    }

    @Test func aJobAskingForAModelGoesOnlyToAWorkerOfferingIt() async throws {
        let (store, _) = try await transcribeQueued(model: "big")
        #expect(try await store.jobs.claim(worker: "a", stages: [.transcribe, .diarize], models: ["tiny.en"], lease: 30) == nil)
        #expect(try await store.jobs.claim(worker: "a", stages: [.transcribe], models: [], lease: 30) == nil)
        let job = try #require(try await store.jobs.claim(worker: "b", stages: [.transcribe], models: ["tiny.en", "big"], lease: 30))
        #expect(job.stage == .transcribe && job.model == "big")
    }

    @Test func aJobAskingForNoModelGoesToAnyWorkerOfItsStage() async throws {
        let (store, _) = try await transcribeQueued(model: nil)
        #expect(try await store.jobs.claim(worker: "a", stages: [.diarize], models: ["tiny.en"], lease: 30) == nil)
        #expect(try await store.jobs.claim(worker: "a", stages: [.transcribe], models: [], lease: 30)?.model == nil)
    }

    @Test func onlyTheHolderCanReadAndARetriedCompletionIsRecognised() async throws {
        let (store, _) = try await transcribeQueued(model: nil)
        let job = try #require(
            try await store.jobs.claim(
                worker: "remote:t1:w/1", stages: [.transcribe], models: nil, lease: 30))
        let id = try #require(job.id)
        #expect(try await store.jobs.runningJob(id: id, ownerPrefix: "remote:t1:") != nil)
        #expect(try await store.jobs.runningJob(id: id, ownerPrefix: "remote:t2:") == nil)
        let result = Data(#"{"a":1}"#.utf8)
        #expect(try await store.jobs.completedAlready(jobId: id, worker: "remote:t1:w/1", result: result) == false)
        #expect(try await store.jobs.complete(job, worker: "remote:t1:w/1", result: result, seconds: 1, maxAttempts: 2))
        #expect(try await store.jobs.completedAlready(jobId: id, worker: "remote:t1:w/1", result: result))
        #expect(try await store.jobs.completedAlready(jobId: id, worker: "remote:t1:w/2", result: result) == false)
        #expect(try await store.jobs.completedAlready(jobId: id, worker: "remote:t1:w/1", result: Data("{}".utf8)) == false)
        #expect(try await store.jobs.runningJob(id: id, ownerPrefix: "remote:t1:") == nil)
    }
}
