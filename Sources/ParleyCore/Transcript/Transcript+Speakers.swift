/// Resolving the ways a transcript's parts point at a speaker.
///
/// Segments (and the summary's sentences and speaker entries, which the engine derives
/// from segments) carry the speaker's *label* ("Speaker 1", the user's wire format), while
/// `Speaker.id` and diarization turns carry the stable *id* ("speaker_1"). A label never
/// changes when a voice is renamed — the name to show is `Speaker.name` — so the label is
/// as stable as the id; these lookups are the one place that knows both forms.
extension Transcript {
    /// The speaker a label ("Speaker 1") or an id ("speaker_1") refers to; the label is
    /// tried first because that is what segments and insights hold.
    public func speaker(_ reference: String) -> Speaker? {
        speakers.first { $0.displayName == reference } ?? speakers.first { $0.id == reference }
    }

    /// The speaker who said `segment`.
    public func speaker(for segment: TranscriptionSegment) -> Speaker? {
        speaker(segment.speakerLabel)
    }

    /// The name to show for a reference: the user's name for the voice, else "Speaker N";
    /// the reference itself when no speaker matches it (an edit removed the voice).
    public func speakerName(_ reference: String) -> String {
        speaker(reference)?.name ?? reference
    }
}
