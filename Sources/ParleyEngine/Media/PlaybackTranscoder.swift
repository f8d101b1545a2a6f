import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes the browser-safe playback copy (MP3 plays in every browser) with ffmpeg, in a
/// child process at low priority so it never competes with request handling. ffmpeg reads
/// only the local file it is given (no playlists fetching URLs, no `concat:` tricks) and
/// dies with its task: a cancelled or deleted meeting leaves no encoder writing into a
/// folder that is gone.
public enum PlaybackTranscoder {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func transcode(input: URL, output: URL) async throws {
        let partial = output.appendingPathExtension("part")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "nice", "-n", "10", "ffmpeg", "-nostdin", "-v", "error", "-y", "-protocol_whitelist", "file",
            "-i", "file:" + input.path, "-vn", "-ac", "1",
            "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", partial.path,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        process.environment = ChildEnvironment.minimal()
        try process.run()
        let child = ChildProcess(process)
        let status: Int32 = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    child.process.waitUntilExit()
                    continuation.resume(returning: child.process.terminationStatus)
                }
            }
        } onCancel: {
            child.kill()
        }
        if Task.isCancelled {
            try? FileManager.default.removeItem(at: partial)
            throw CancellationError()
        }
        guard status == 0 else {
            try? FileManager.default.removeItem(at: partial)
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "playback copy failed: \(message.split(separator: "\n").last ?? "ffmpeg exit \(status)")")
        }
        _ = try? FileManager.default.removeItem(at: output)
        try FileManager.default.moveItem(at: partial, to: output)
    }
}

/// A running child that a cancellation handler (another thread) may kill. `Process` is not
/// Sendable; its pid is all `kill` needs, and it never changes once the process runs.
private final class ChildProcess: @unchecked Sendable {
    let process: Process
    private let pid: Int32

    init(_ process: Process) {
        self.process = process
        self.pid = process.processIdentifier
    }

    /// SIGKILL to the whole `env nice ffmpeg` chain: `env` and `nice` exec into ffmpeg, so
    /// the pid is ffmpeg's own.
    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
    }
}
