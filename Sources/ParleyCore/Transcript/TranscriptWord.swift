/// One recognised word with its timing and the model's probability for it.
public struct TranscriptWord: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var word: String
    public var probability: Double

    public init(start: Double, end: Double, word: String, probability: Double) {
        self.start = start
        self.end = end
        self.word = word
        self.probability = probability
    }

    public var duration: Double { max(0, end - start) }
}
