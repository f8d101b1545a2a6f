/// A stretch of speech by one speaker; the user's spec names these fields on the wire.
public struct TranscriptionSegment: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var text: String
    /// The speaker's display name ("Speaker 1"), as the user's spec puts it on segments.
    public var speakerID: String
    /// Geometric mean of the word probabilities (see `Confidence`).
    public var confidence: Double
    public var words: [TranscriptWord]
    /// True when a person corrected the text (absent for the machine's own words).
    public var corrected: Bool?

    enum CodingKeys: String, CodingKey {
        case start, end, text, confidence, words, corrected
        case speakerID = "speaker_id"
    }

    public init(
        start: Double, end: Double, text: String, speakerID: String,
        confidence: Double, words: [TranscriptWord]
    ) {
        self.start = start
        self.end = end
        self.text = text
        self.speakerID = speakerID
        self.confidence = confidence
        self.words = words
    }

    public var duration: Double { max(0, end - start) }
}
