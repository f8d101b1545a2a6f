import Foundation

/// A recording's stream facts from ffprobe, for a server that runs no speech engine
/// (`--no-local-workers`): the `normalize` stage still learns duration, codec and rate and
/// refuses over-long audio, while decoding to PCM is left to the workers that need it.
public enum AudioProbe {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private struct Output: Decodable {
        struct Stream: Decodable {
            var codecName: String?
            var sampleRate: String?
            var channels: Int?
            var duration: String?
        }
        struct Format: Decodable {
            var duration: String?
        }
        var streams: [Stream]?
        var format: Format?
    }

    public static func probe(_ file: URL, maxSeconds: Double?) async throws -> DecodedAudio {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffprobe", "-v", "error", "-protocol_whitelist", "file", "-select_streams", "a:0",
            "-show_entries", "stream=codec_name,sample_rate,channels,duration:format=duration",
            "-of", "json", "file:" + file.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        process.environment = ChildEnvironment.minimal()
        try process.run()
        let data: Data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard process.terminationStatus == 0, let parsed = try? decoder.decode(Output.self, from: data),
            let stream = parsed.streams?.first
        else { throw Failure(description: "not an audio file ffprobe can read") }
        let duration = (stream.duration ?? parsed.format?.duration).flatMap(Double.init) ?? 0
        if let maxSeconds, duration > maxSeconds {
            throw Failure(description: "the audio is too long (\(Int(duration)) s; the limit is \(Int(maxSeconds)) s)")
        }
        return DecodedAudio(
            duration: duration, codec: stream.codecName, sampleRate: stream.sampleRate.flatMap(Int.init),
            channels: stream.channels)
    }
}
