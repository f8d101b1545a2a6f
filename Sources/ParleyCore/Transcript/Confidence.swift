import Foundation

/// How a segment's `confidence` is derived from the model's own scores.
///
/// The geometric mean of the word probabilities, i.e. `exp(mean(log p))`: one unsure word
/// pulls it down more than an arithmetic mean would, which is what a reader wants flagged.
/// Without words it falls back to `exp(avg_logprob)` of the decoded segment.
public enum Confidence {
    public static func of(words: [TranscriptWord], averageLogProbability: Double?) -> Double {
        let logs = words.map { log(max($0.probability, 1e-6)) }
        let value: Double
        if !logs.isEmpty {
            value = exp(logs.reduce(0, +) / Double(logs.count))
        } else if let averageLogProbability {
            value = exp(averageLogProbability)
        } else {
            value = 0
        }
        return (min(max(value, 0), 1) * 1000).rounded() / 1000
    }
}
