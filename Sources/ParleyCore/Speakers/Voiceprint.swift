/// Matching voices across meetings by cosine similarity of their mean embeddings.
public enum VoiceMatch {
    /// Same-voice threshold, calibrated on the eval clips by bench/voiceprint.py: the lowest
    /// with ≤ 1 % false accepts on real speech, held under leave-one-speaker-out (a wrong
    /// suggested name is worse than none).
    public static let defaultThreshold: Float = 0.79
    /// Shorter voices embed too noisily to name (every false reject in calibration was ~2 s).
    public static let minimumSeconds = 3.0

    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count, !a.isEmpty else { return -1 }
        var dot: Float = 0, normA: Float = 0, normB: Float = 0
        for index in a.indices {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        guard normA > 0, normB > 0 else { return -1 }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }

    /// The best-matching name for `embedding` among `known` (name, embedding) pairs, if any
    /// clears `threshold`.
    public static func best(
        for embedding: [Float], among known: [(name: String, embedding: [Float])], threshold: Float = defaultThreshold
    ) -> (name: String, score: Float)? {
        known.map { ($0.name, cosine(embedding, $0.embedding)) }
            .filter { $0.1 >= threshold }
            .max { $0.1 < $1.1 }
            .map { (name: $0.0, score: $0.1) }
    }
}
