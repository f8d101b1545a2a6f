import Foundation
import ParleyEngine
import ParleyStore

#if canImport(Glibc)
import Glibc
#endif

/// `parley doctor`: checks an installation the way an operator would, one finding a line.
/// Read-only: it reports and changes nothing (the engine check runs a second of silence
/// through the model in a temporary folder).
public struct Doctor: Sendable {
    public enum Level: String, Sendable, Comparable {
        case ok, warn, fail

        public static func < (a: Level, b: Level) -> Bool {
            [Level.ok, .warn, .fail].firstIndex(of: a)! < [Level.ok, .warn, .fail].firstIndex(of: b)!
        }
    }

    public struct Finding: Sendable, Equatable {
        public var level: Level
        public var check: String
        public var detail: String
    }

    let dataDirectory: URL
    let engine: EngineConfiguration
    let leaseGraceSeconds: Double

    public init(dataDirectory: URL, engine: EngineConfiguration, leaseGraceSeconds: Double = 60) {
        self.dataDirectory = dataDirectory
        self.engine = engine
        self.leaseGraceSeconds = leaseGraceSeconds
    }

    public func run() async -> [Finding] {
        var findings = [ffmpeg(), await speechEngine(), permissions(), freeDisk()]
        findings += storage()
        return findings
    }

    func ffmpeg() -> Finding {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-version"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {}
        return process.terminationStatus == 0
            ? Finding(level: .ok, check: "ffmpeg", detail: "found (playback copies)")
            : Finding(level: .fail, check: "ffmpeg", detail: "not found on PATH: install it (apt-get install ffmpeg)")
    }

    func speechEngine() async -> Finding {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-doctor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = engine
        configuration.idleTTL = .zero
        let supervisor = EngineSupervisor(configuration: configuration)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let silence = folder.appendingPathComponent("silence.wav")
            try Self.silentWAV(seconds: 1).write(to: silence)
            let result = try await supervisor.transcribe(audio: silence.path, options: TranscriptionOptions()) { _ in }
            await supervisor.shutdown()
            return Finding(level: .ok, check: "engine", detail: "model \(result.model) loads and transcribes")
        } catch {
            await supervisor.shutdown()
            return Finding(level: .fail, check: "engine", detail: "\(error)")
        }
    }

    func permissions() -> Finding {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: dataDirectory.path),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { return Finding(level: .fail, check: "data directory", detail: "\(dataDirectory.path) does not exist") }
        let database = DataLayout(root: dataDirectory).database.path
        let databaseMode = ((try? FileManager.default.attributesOfItem(atPath: database))?[.posixPermissions] as? NSNumber)?.intValue
        if mode & 0o077 != 0 || (databaseMode ?? 0) & 0o077 != 0 {
            return Finding(
                level: .fail, check: "data directory",
                detail: String(
                    format: "%@ is %o and the database %o: others can read tokens and audio (chmod 700 / 600)",
                    dataDirectory.path, mode, databaseMode ?? 0))
        }
        return Finding(level: .ok, check: "data directory", detail: String(format: "%@ is %o", dataDirectory.path, mode))
    }

    func freeDisk() -> Finding {
        var stats = statvfs()
        guard statvfs(dataDirectory.path, &stats) == 0 else {
            return Finding(level: .warn, check: "disk", detail: "cannot read free space of \(dataDirectory.path)")
        }
        let free = Double(stats.f_bavail) * Double(stats.f_frsize), total = Double(stats.f_blocks) * Double(stats.f_frsize)
        let text = String(format: "%.1f GB free of %.1f GB", free / 1e9, total / 1e9)
        return free < total * 0.1 || free < 1e9
            ? Finding(level: .warn, check: "disk", detail: text + ": uploads and decoding need room")
            : Finding(level: .ok, check: "disk", detail: text)
    }

    /// Database integrity, audio without meetings, meetings without audio, stuck jobs.
    func storage() -> [Finding] {
        let path = DataLayout(root: dataDirectory).database.path
        guard FileManager.default.fileExists(atPath: path) else {
            return [Finding(level: .fail, check: "database", detail: "no database at \(path)")]
        }
        let health: StorageHealth
        do {
            health = try StorageHealth.check(databasePath: path, dataDirectory: dataDirectory, grace: leaseGraceSeconds)
        } catch {
            return [Finding(level: .fail, check: "database", detail: "cannot read \(path): \(error)")]
        }
        let list = { (items: [String]) in items.prefix(5).joined(separator: ", ") + (items.count > 5 ? ", ..." : "") }
        return [
            health.integrity == ["ok"]
                ? Finding(level: .ok, check: "database", detail: "integrity check passed")
                : Finding(level: .fail, check: "database", detail: "integrity check: \(list(health.integrity))"),
            health.meetingsWithoutAudio.isEmpty
                ? Finding(level: .ok, check: "audio", detail: "all \(health.meetings) meetings have their audio")
                : Finding(
                    level: .fail, check: "audio",
                    detail: "\(health.meetingsWithoutAudio.count) meeting(s) without audio: "
                        + "\(list(health.meetingsWithoutAudio)) (restore them from a backup, or delete the meetings)"),
            health.foldersWithoutMeeting.isEmpty
                ? Finding(level: .ok, check: "orphans", detail: "no audio without a meeting")
                : Finding(
                    level: .warn, check: "orphans",
                    detail: "\(health.foldersWithoutMeeting.count) folder(s) under audio/ "
                        + "without a meeting: \(list(health.foldersWithoutMeeting))"),
            health.stuckJobs.isEmpty
                ? Finding(level: .ok, check: "jobs", detail: "no job stuck past its lease")
                : Finding(
                    level: .warn, check: "jobs",
                    detail: "\(health.stuckJobs.count) job(s) past their lease "
                        + "(a running server re-queues them): \(list(health.stuckJobs))"),
        ]
    }

    /// A 16 kHz mono 16-bit WAV of silence.
    static func silentWAV(seconds: Int) -> Data {
        let samples = 16_000 * seconds
        var data = Data("RIFF".utf8)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        append(UInt32(36 + samples * 2))
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        append(UInt32(16)); append(UInt16(1)); append(UInt16(1)); append(UInt32(16_000)); append(UInt32(32_000))
        append(UInt16(2)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        append(UInt32(samples * 2))
        data.append(Data(count: samples * 2))
        return data
    }
}
