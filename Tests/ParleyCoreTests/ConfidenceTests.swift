import Foundation
import ParleyCore
import Testing

@Suite struct ConfidenceTests {
    @Test func geometricMeanOfWordProbabilities() {
        let words = [0.9, 0.4].map { TranscriptWord(start: 0, end: 1, word: "w", probability: $0) }
        #expect(Confidence.of(words: words, averageLogProbability: -5) == 0.6)
    }

    @Test func fallsBackToTheSegmentScoreWithoutWords() {
        #expect(Confidence.of(words: [], averageLogProbability: log(0.25)) == 0.25)
        #expect(Confidence.of(words: [], averageLogProbability: nil) == 0)
    }
}
