import Foundation
import ParleyCore
import ParleySync
import Testing

/// The local library's status machine, imports and folder watching, through the public API
/// only: every state is reached by legal transitions from `local`, as the sync engine does.
@Suite struct LibraryStatusTests {
    /// A library in a fresh temporary home, plus a scratch folder for source files.
    struct Fixture {
        let root: URL
        let library: Library

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("parley-sync-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("in"), withIntermediateDirectories: true)
            library = try Library(home: root.appendingPathComponent("home"))
        }

        /// A file of `bytes` (distinct random content by default) under the scratch folder.
        func file(_ name: String, bytes: Data? = nil) throws -> URL {
            let url = root.appendingPathComponent("in/\(name)")
            try (bytes ?? Data((0..<4096).map { _ in UInt8.random(in: 0...255) })).write(to: url)
            return url
        }

        func imported(_ name: String = "\(UUID().uuidString).wav") async throws -> RecordingRecord {
            guard case .imported(let record) = try await library.importFile(try file(name).path) else {
                throw Library.Failure.unknownRecording(name)
            }
            return record
        }

        /// A new recording taken to `status` by legal steps (shortest path from `local`).
        func recording(in status: MeetingStatus) async throws -> RecordingRecord {
            var record = try await imported()
            for step in LibraryStatusTests.path(from: .local, to: status) {
                record = try await library.transition(record.id, to: step, reason: "setup")
            }
            #expect(record.status == status)
            return record
        }
    }

    static let legal: [(MeetingStatus, MeetingStatus)] = MeetingStatus.allCases.flatMap { from in
        MeetingStatus.allCases.filter { from.canTransition(to: $0) }.map { (from, $0) }
    }

    /// Breadth-first over legal transitions.
    static func path(from start: MeetingStatus, to target: MeetingStatus) -> [MeetingStatus] {
        var paths: [MeetingStatus: [MeetingStatus]] = [start: []]
        var frontier = [start]
        while !frontier.isEmpty, paths[target] == nil {
            var next: [MeetingStatus] = []
            for state in frontier {
                for (from, to) in legal where from == state && paths[to] == nil {
                    paths[to] = paths[state]! + [to]
                    next.append(to)
                }
            }
            frontier = next
        }
        return paths[target]!
    }

    @Test func theStatusMachineHasTheDocumentedEdges() {
        // The spec's main line and the edges the sync engine relies on.
        for (from, to) in [
            (MeetingStatus.local, MeetingStatus.queued), (.queued, .uploading), (.uploading, .processing),
            (.processing, .synced), (.uploading, .queued), (.synced, .queued), (.failed, .queued),
            (.local, .failed), (.uploading, .failed), (.processing, .failed),
        ] {
            #expect(from.canTransition(to: to), "\(from) → \(to) should be allowed")
        }
        #expect(Self.legal.count == 17)
        // Every state is reachable from `local`, so the tests below can set each one up.
        for status in MeetingStatus.allCases { #expect(Self.path(from: .local, to: status).last ?? .local == status) }
    }

    @Test(arguments: legal.map { [$0.0, $0.1] })
    func everyLegalTransitionIsAcceptedAndRecorded(_ edge: [MeetingStatus]) async throws {
        let (from, to) = (edge[0], edge[1])
        let fixture = try Fixture()
        let record = try await fixture.recording(in: from)
        let before = try await fixture.library.history(record.id)
        let moved = try await fixture.library.transition(record.id, to: to, reason: "edge under test") {
            $0.failureReason = "changed with the step"
        }
        #expect(moved.status == to)
        let stored = try #require(try await fixture.library.recording(id: record.id))
        #expect(stored.status == to)
        #expect(stored.failureReason == "changed with the step")
        let history = try await fixture.library.history(record.id)
        #expect(history.count == before.count + 1)
        let last = try #require(history.last)
        #expect(last.fromStatus == from)
        #expect(last.toStatus == to)
        #expect(last.reason == "edge under test")
        #expect(history.first?.fromStatus == nil && history.first?.toStatus == .local)
    }

    @Test(arguments: [
        [MeetingStatus.local, .processing], [.synced, .uploading], [.failed, .synced],
        [.local, .uploading], [.failed, .processing], [.processing, .uploading],
    ])
    func illegalTransitionsAreRefusedAndChangeNothing(_ edge: [MeetingStatus]) async throws {
        let (from, to) = (edge[0], edge[1])
        #expect(!from.canTransition(to: to))
        let fixture = try Fixture()
        let record = try await fixture.recording(in: from)
        let before = try #require(try await fixture.library.recording(id: record.id))
        let historyBefore = try await fixture.library.history(record.id)
        await #expect(throws: Library.Failure.illegalTransition(from: from, to: to, id: record.id)) {
            try await fixture.library.transition(record.id, to: to, reason: "must not happen") {
                $0.serverId = "should-not-be-written"
                $0.uploadedBytes = 12345
            }
        }
        #expect(try await fixture.library.recording(id: record.id) == before)
        #expect(try await fixture.library.history(record.id) == historyBefore)
    }

    @Test func noIllegalPairSlipsThrough() async throws {
        // Exhaustively: every pair the machine does not list (other than staying put) throws.
        let fixture = try Fixture()
        for from in MeetingStatus.allCases {
            let record = try await fixture.recording(in: from)
            for to in MeetingStatus.allCases where to != from && !from.canTransition(to: to) {
                await #expect(throws: Library.Failure.illegalTransition(from: from, to: to, id: record.id)) {
                    try await fixture.library.transition(record.id, to: to)
                }
            }
            #expect(try await fixture.library.recording(id: record.id)?.status == from)
        }
    }

    @Test func transitionsOfAnUnknownRecordingFail() async throws {
        let fixture = try Fixture()
        await #expect(throws: Library.Failure.unknownRecording("nope")) {
            try await fixture.library.transition("nope", to: .queued)
        }
    }

    @Test func theSameBytesAreImportedOnce() async throws {
        let fixture = try Fixture()
        let bytes = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let original = try fixture.file("a.wav", bytes: bytes)
        guard case .imported(let first) = try await fixture.library.importFile(original.path) else {
            Issue.record("first import was not new")
            return
        }
        #expect(first.status == .local)
        #expect(first.size == Int64(bytes.count))
        #expect(first.sha256 == (try Library.sha256(of: original)))
        #expect(FileManager.default.contentsEqual(atPath: try #require(first.localPath), andPath: original.path))
        // The same path again, and the same bytes under another name: the existing recording.
        #expect(try await fixture.library.importFile(original.path) == .existing(first))
        let copy = try fixture.file("copy of a.flac", bytes: bytes)
        #expect(try await fixture.library.importFile(copy.path) == .existing(first))
        #expect(try await fixture.library.all().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.library.home.appendingPathComponent("audio").path).count == 1)
    }

    @Test func concurrentImportsOfTheSameBytesLeaveOneRecording() async throws {
        let fixture = try Fixture()
        let bytes = Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let paths = try (0..<8).map { try fixture.file("same-\($0).wav", bytes: bytes).path }
        let library = fixture.library
        let outcomes = try await withThrowingTaskGroup(of: Library.ImportOutcome.self) { group in
            for path in paths { group.addTask { try await library.importFile(path) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let imported = outcomes.filter { if case .imported = $0 { true } else { false } }
        #expect(imported.count == 1)
        #expect(try await library.all().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: library.home.appendingPathComponent("audio").path).count == 1)
    }

    @Test func importRefusesEmptyMissingAndDirectoryPathsClearly() async throws {
        let fixture = try Fixture()
        let empty = try fixture.file("empty.wav", bytes: Data())
        await #expect(throws: Library.Failure.unreadable(path: empty.path, reason: "the file is empty")) {
            try await fixture.library.importFile(empty.path)
        }
        let missing = fixture.root.appendingPathComponent("in/missing.wav").path
        await #expect(throws: Library.Failure.unreadable(path: missing, reason: "no such file")) {
            try await fixture.library.importFile(missing)
        }
        let directory = fixture.root.appendingPathComponent("in").path
        await #expect(throws: Library.Failure.unreadable(path: directory, reason: "is a directory")) {
            try await fixture.library.importFile(directory)
        }
        // The messages name the path and the reason.
        #expect("\(Library.Failure.unreadable(path: missing, reason: "no such file"))" == "\(missing): no such file")
        #expect(try await fixture.library.all().isEmpty)
    }

    @Test func theWatcherImportsAFileOnlyOnceItStopsChanging() async throws {
        let fixture = try Fixture()
        let folder = fixture.root.appendingPathComponent("watched")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let watcher = FolderWatcher(folder: folder, library: fixture.library, settle: 2)
        let file = folder.appendingPathComponent("meeting.wav")
        let whole = Data((0..<64_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) })
        try whole.prefix(32_000).write(to: file)
        // A recorder's temporary file next to it is never a candidate.
        try whole.write(to: folder.appendingPathComponent("other.wav.part"))
        let start = Date()

        #expect(await watcher.scan(now: start).isEmpty)  // first sight: not settled
        // The recorder writes the second half.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: whole.suffix(32_000))
        try handle.close()
        #expect(await watcher.scan(now: start.addingTimeInterval(3)).isEmpty)  // changed: the clock restarts
        #expect(await watcher.scan(now: start.addingTimeInterval(4)).isEmpty)  // unchanged for 1 s < settle
        #expect(!(await watcher.isSettled))
        let outcomes = await watcher.scan(now: start.addingTimeInterval(5.5))  // unchanged for 2.5 s
        #expect(outcomes.count == 1)
        guard case .imported(let record)? = outcomes.first else {
            Issue.record("expected one import, got \(outcomes)")
            return
        }
        #expect(record.size == Int64(whole.count))
        #expect(record.sha256 == (try Library.sha256(of: file)))
        #expect(await watcher.scan(now: start.addingTimeInterval(10)).isEmpty)  // never twice
        #expect(await watcher.isSettled)
        let all = try await fixture.library.all()
        #expect(all.count == 1)
        #expect(all.first?.sha256 == record.sha256)
    }

    @Test func theWatcherForgetsAFileRemovedBeforeItSettles() async throws {
        let fixture = try Fixture()
        let folder = fixture.root.appendingPathComponent("watched")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let watcher = FolderWatcher(folder: folder, library: fixture.library, settle: 1)
        let file = folder.appendingPathComponent("gone.wav")
        try Data(repeating: 7, count: 1000).write(to: file)
        let start = Date()
        #expect(await watcher.scan(now: start).isEmpty)
        try FileManager.default.removeItem(at: file)
        #expect(await watcher.scan(now: start.addingTimeInterval(5)).isEmpty)
        #expect(await watcher.isSettled)
        #expect(try await fixture.library.all().isEmpty)
    }
}
