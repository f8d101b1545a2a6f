/// The result of the pipeline for one recording: what was said, by whom, and when.
public struct Transcript: Codable, Sendable, Equatable {
    public var duration: Double
    public var language: String?
    public var model: String
    /// The quality profile the model ran with (accurate, balanced, fast); nil before profiles.
    public var profile: String?
    public var segments: [TranscriptionSegment]
    public var speakers: [Speaker]
    /// Diarization turns (who spoke when, independent of words); the source of RTTM output.
    public var speakerTurns: [SpeakerTurn]

    enum CodingKeys: String, CodingKey {
        case duration, language, model, profile, segments, speakers
        case speakerTurns = "speaker_turns"
    }

    public init(
        duration: Double, language: String?, model: String,
        segments: [TranscriptionSegment], speakers: [Speaker], speakerTurns: [SpeakerTurn], profile: String? = nil
    ) {
        self.duration = duration
        self.language = language
        self.model = model
        self.profile = profile
        self.segments = segments
        self.speakers = speakers
        self.speakerTurns = speakerTurns
    }
}
