import ParleyCore
import ParleyEngine

extension Transcript {
    /// The one way recognised words and diarization turns become a transcript, for the CLI's
    /// pipeline and the server's stages alike: words attributed to the turn that covers them
    /// most (everything to Speaker 1 without diarization), with the model and profile that
    /// produced them.
    public init(recognition: RecognitionResult, diarization: Diarization?) {
        let attributed = SpeakerAttribution.attribute(recognition.segments, diarization: diarization)
        self.init(
            duration: recognition.duration, language: recognition.language, model: recognition.model,
            segments: attributed.segments, speakers: attributed.speakers, speakerTurns: attributed.turns,
            profile: recognition.profile)
    }
}
