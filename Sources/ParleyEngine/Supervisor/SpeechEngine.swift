import ParleyCore

/// What the processing stages need from a speech engine. The supervised local process
/// (`EngineSupervisor`) is the implementation the server and `parley worker` both run; tests
/// can put a fake behind it. Keeping stages on this protocol, not on the process type, is
/// what lets the same stage code run on the server or on a remote worker.
public protocol SpeechEngine: Sendable {
    func decode(input: String, output: String, maxSeconds: Double?) async throws -> DecodedAudio
    func transcribe(
        audio path: String, options: TranscriptionOptions, progress: EngineProgressHandler?
    ) async throws -> RecognitionResult
    func diarize(audio path: String, options: DiarizationOptions, progress: EngineProgressHandler?) async throws -> Diarization
    func summarize(
        segments: [TranscriptionSegment], maxSentences: Int, progress: EngineProgressHandler?
    ) async throws -> MeetingInsights
    func embed(_ texts: [String]) async throws -> TextEmbeddings
}

extension EngineSupervisor: SpeechEngine {}
