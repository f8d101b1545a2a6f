/// A stretch of speech by one speaker; the user's spec names these fields on the wire.
public struct TranscriptionSegment: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var text: String
    /// The speaker's label ("Speaker 1", `Speaker.displayName`), which the user's spec puts on
    /// the wire as `speaker_id`; not `Speaker.id`. Resolve it with `Transcript.speaker(for:)`.
    public var speakerLabel: String
    /// Geometric mean of the word probabilities (see `Confidence`).
    public var confidence: Double
    public var words: [TranscriptWord]
    /// True when a person corrected the text (absent for the machine's own words).
    public var corrected: Bool?

    enum CodingKeys: String, CodingKey {
        case start, end, text, confidence, words, corrected
        case speakerLabel = "speaker_id"
    }

    public init(
        start: Double, end: Double, text: String, speakerLabel: String,
        confidence: Double, words: [TranscriptWord]
    ) {
        self.start = start
        self.end = end
        self.text = text
        self.speakerLabel = speakerLabel
        self.confidence = confidence
        self.words = words
    }

    public var duration: Double { max(0, end - start) }
}
