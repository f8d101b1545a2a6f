/// A segment as the recogniser produced it, before speakers are attributed.
public struct RecognizedSegment: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var text: String
    public var averageLogProbability: Double?
    public var noSpeechProbability: Double?
    public var words: [TranscriptWord]

    enum CodingKeys: String, CodingKey {
        case start, end, text, words
        case averageLogProbability = "avg_logprob"
        case noSpeechProbability = "no_speech_prob"
    }

    public init(
        start: Double, end: Double, text: String, averageLogProbability: Double? = nil,
        noSpeechProbability: Double? = nil, words: [TranscriptWord]
    ) {
        self.start = start
        self.end = end
        self.text = text
        self.averageLogProbability = averageLogProbability
        self.noSpeechProbability = noSpeechProbability
        self.words = words
    }
}
