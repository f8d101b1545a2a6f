import Foundation
import GRDB
import ParleyAPI
import ParleyCore
import ParleyStore
import ParleyTesting
import Testing

@Suite struct MeetingRepositoryTests {
    func existingID(_ outcome: MeetingRepository.CreateOutcome) -> String? {
        if case .existing(let meeting) = outcome { meeting.id } else { nil }
    }

    @Test func theSameBytesMakeOneMeetingPerOwner() async throws {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        let first = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(1), clientId: "a")
        guard case .created = try await store.meetings.create(first, maxAttempts: 3) else { Issue.record("not created"); return }
        // Same bytes under another client id: the existing meeting comes back.
        let again = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(1), clientId: "b")
        #expect(try await existingID(store.meetings.create(again, maxAttempts: 3)) == first.id)
        // Same client id, other bytes: also the existing one.
        let sameID = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(2), clientId: "a")
        #expect(try await existingID(store.meetings.create(sameID, maxAttempts: 3)) == first.id)
        // Another owner may hold the same bytes.
        let bob = try await store.viewer("bob")
        let bobs = TemporaryDatabase.meeting(owner: bob, sha256: TemporaryDatabase.sha(1), clientId: "a")
        #expect(try await store.meetings.create(bobs, maxAttempts: 3) == .created(bobs))
    }

    @Test func concurrentCreatesOfTheSameBytesLeaveOneMeeting() async throws {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        let outcomes = try await withThrowingTaskGroup(of: MeetingRepository.CreateOutcome.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try await store.meetings.create(
                        TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(7), clientId: "c\(index)"),
                        maxAttempts: 3)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let created = outcomes.filter { if case .created = $0 { true } else { false } }
        #expect(created.count == 1)
        let page = try await store.meetings.summaries(viewer: alice, scope: .all, limit: 100, cursor: nil)
        #expect(page.items.count == 1)
    }

    @Test func theDatabaseItselfRefusesADuplicateHash() async throws {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        try await store.database.pool.write { db in
            try TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(3)).insert(db)
        }
        await #expect(throws: (any Error).self) {
            try await store.database.pool.write { db in
                try TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(3)).insert(db)
            }
        }
    }

    @Test func personalMeetingsAreTheirOwnersAloneWorkspaceMeetingsTheirMembers() async throws {
        let store = try TemporaryDatabase()
        _ = try await store.viewer("alice")
        try await store.accounts.addMember(userName: "alice", workspace: "team")
        let alice = try await store.viewer("alice")
        let bob = try await store.viewer("bob")
        let workspace = try #require(try await store.accounts.workspaceId(named: "team"))
        let personal = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(1))
        let shared = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(2), workspaceId: workspace)
        _ = try await store.meetings.create(personal, maxAttempts: 3)
        _ = try await store.meetings.create(shared, maxAttempts: 3)
        #expect(try await store.meetings.meeting(id: personal.id, viewer: bob) == nil)
        #expect(try await store.meetings.meeting(id: shared.id, viewer: bob) == nil)
        #expect(try await store.meetings.summaries(viewer: bob, scope: .all, limit: 50, cursor: nil).items.isEmpty)
        try await store.accounts.addMember(userName: "bob", workspace: "team")
        let member = try await store.viewer("bob")
        #expect(try await store.meetings.meeting(id: shared.id, viewer: member)?.id == shared.id)
        #expect(try await store.meetings.meeting(id: personal.id, viewer: member) == nil)
        let workspacePage = try await store.meetings.summaries(viewer: member, scope: .workspace, limit: 50, cursor: nil)
        #expect(workspacePage.items.map(\.id) == [shared.id])
        let alicePersonal = try await store.meetings.summaries(viewer: alice, scope: .personal, limit: 50, cursor: nil)
        #expect(alicePersonal.items.map(\.id) == [personal.id])
    }

    @Test func keysetPagesCoverEveryMeetingOnceNewestFirst() async throws {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        // Equal timestamps in pairs: the id breaks ties, so no meeting is skipped or repeated.
        for index in 0..<121 {
            let meeting = TemporaryDatabase.meeting(owner: alice, sha256: TemporaryDatabase.sha(index), createdAt: Double(index / 2))
            _ = try await store.meetings.create(meeting, maxAttempts: 3)
        }
        var seen: [MeetingSummary] = []
        var cursor: String?
        repeat {
            let page = try await store.meetings.summaries(viewer: alice, scope: .all, limit: 50, cursor: cursor)
            seen += page.items
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.count == 121)
        #expect(Set(seen.map(\.id)).count == 121)
        let keys = seen.map { ($0.createdAt, $0.id) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 > $1.1) })
    }

    @Test func aForgedCursorIsRefused() async throws {
        let store = try TemporaryDatabase()
        let alice = try await store.viewer("alice")
        await #expect(throws: PageCursorError.self) {
            _ = try await store.meetings.summaries(viewer: alice, scope: .all, limit: 10, cursor: "not-a-cursor")
        }
    }

    @Test func tokensAreStoredHashedAndUnknownTokensAreRefused() async throws {
        let store = try TemporaryDatabase()
        _ = try await store.accounts.createUser(name: "alice")
        let token = try await store.accounts.createToken(userName: "alice")
        let stored = try await store.database.pool.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM api_token") }
        #expect(!stored.contains(token))
        #expect(try await store.accounts.authenticate(token: token)?.name == "alice")
        #expect(try await store.accounts.authenticate(token: token + "x") == nil)
        await #expect(throws: AccountRepository.Failure.self) { _ = try await store.accounts.createUser(name: "alice") }
        await #expect(throws: AccountRepository.Failure.self) { _ = try await store.accounts.createUser(name: "../etc") }
    }
}
