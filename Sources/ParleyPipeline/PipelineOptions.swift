import ParleyEngine

/// What a pipeline run does: Whisper settings, and whether and how to diarize.
public struct PipelineOptions: Sendable, Equatable {
    public var transcription: TranscriptionOptions
    public var diarization: DiarizationOptions
    public var diarize: Bool

    public init(
        transcription: TranscriptionOptions = .init(), diarization: DiarizationOptions = .init(), diarize: Bool = true
    ) {
        self.transcription = transcription
        self.diarization = diarization
        self.diarize = diarize
    }
}
