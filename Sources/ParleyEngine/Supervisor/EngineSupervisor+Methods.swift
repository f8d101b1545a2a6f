import ParleyCore

/// The engine's methods with their real types (engine/PROTOCOL.md).
extension EngineSupervisor {
    public func transcribe(
        audio path: String, options: TranscriptionOptions = .init(), progress: EngineProgressHandler? = nil
    ) async throws -> RecognitionResult {
        try await call("transcribe", AudioParameters(audio: path, options: options), returning: RecognitionResult.self,
                       progress: progress)
    }

    public func diarize(
        audio path: String, options: DiarizationOptions = .init(), progress: EngineProgressHandler? = nil
    ) async throws -> Diarization {
        try await call("diarize", AudioParameters(audio: path, options: options), returning: Diarization.self,
                       progress: progress)
    }

    /// Decodes any common format to 16 kHz mono WAV at `output`.
    /// Decodes `input` to 16 kHz mono PCM at `output`; audio longer than `maxSeconds` is
    /// refused before (or while) decoding, so a small file cannot expand into gigabytes.
    public func decode(input: String, output: String, maxSeconds: Double? = nil) async throws -> DecodedAudio {
        try await call("decode", DecodeParameters(input: input, output: output, maxSeconds: maxSeconds), returning: DecodedAudio.self)
    }

    /// Offline meeting intelligence over attributed segments.
    public func summarize(
        segments: [TranscriptionSegment], maxSentences: Int = 5, progress: EngineProgressHandler? = nil
    ) async throws -> MeetingInsights {
        let lines = segments.map { SummarizeParameters.Line(start: $0.start, end: $0.end, text: $0.text, speakerID: $0.speakerID) }
        return try await call("summarize", SummarizeParameters(segments: lines, maxSentences: maxSentences),
                              returning: MeetingInsights.self, progress: progress)
    }

    public func ping() async throws {
        _ = try await call("ping", NoParameters(), returning: NoParameters.self)
    }
}
