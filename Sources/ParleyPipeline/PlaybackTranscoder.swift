import Foundation

/// Makes the browser-safe playback copy (MP3 plays in every browser) with ffmpeg, in a
/// child process at low priority so it never competes with request handling.
public enum PlaybackTranscoder {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func transcode(input: URL, output: URL) async throws {
        let partial = output.appendingPathExtension("part")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "nice", "-n", "10", "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", input.path, "-vn", "-ac", "1",
            "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", partial.path,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
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
