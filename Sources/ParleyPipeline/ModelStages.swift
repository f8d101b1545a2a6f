import Foundation
import ParleyCore
import ParleyEngine

/// The model half of the `transcribe` and `diarize` stages, shared by the server's queue and
/// `parley worker`, so a job gives the same result wherever it runs. Each takes the
/// original audio, decodes it to 16 kHz PCM once (kept at `pcm` for the other stage), and
/// reports only the model phase as progress: the engine reports decoding (0→1) and then the
/// model (0→1 again), and a bar that runs backwards helps nobody.
public enum ModelStages {
    public static func transcribe(
        engine: any SpeechEngine, original: URL, pcm: URL, options: TranscriptionOptions, maxSeconds: Double? = nil,
        progress: @escaping @Sendable (Double) -> Void
    ) async throws -> RecognitionResult {
        try await decodeIfNeeded(engine: engine, original: original, pcm: pcm, maxSeconds: maxSeconds)
        return try await engine.transcribe(audio: pcm.path, options: options) {
            if $0.stage == "transcribe" { progress($0.fraction) }
        }
    }

    public static func diarize(
        engine: any SpeechEngine, original: URL, pcm: URL, options: DiarizationOptions = .init(),
        maxSeconds: Double? = nil, progress: @escaping @Sendable (Double) -> Void
    ) async throws -> Diarization {
        try await decodeIfNeeded(engine: engine, original: original, pcm: pcm, maxSeconds: maxSeconds)
        return try await engine.diarize(audio: pcm.path, options: options) {
            if $0.stage == "diarize" { progress($0.fraction) }
        }
    }

    /// The PCM both models read; decoded again only when it is missing (it is deleted once
    /// both model results are stored, ~115 MB an hour).
    public static func decodeIfNeeded(engine: any SpeechEngine, original: URL, pcm: URL, maxSeconds: Double?) async throws {
        guard !FileManager.default.fileExists(atPath: pcm.path) else { return }
        try FileManager.default.createDirectory(at: pcm.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = try await engine.decode(input: original.path, output: pcm.path, maxSeconds: maxSeconds)
    }
}
