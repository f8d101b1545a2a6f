/// Word error rate after lower-casing and dropping punctuation: (S + D + I) / N.
public enum WordErrorRate {
    public static func of(hypothesis: String, reference: String) -> Double {
        let hyp = normalise(hypothesis), ref = normalise(reference)
        guard !ref.isEmpty else { return hyp.isEmpty ? 0 : 1 }
        var previous = Array(0...hyp.count)
        for (i, refWord) in ref.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: hyp.count)
            for (j, hypWord) in hyp.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (refWord == hypWord ? 0 : 1))
            }
            previous = current
        }
        return Double(previous[hyp.count]) / Double(ref.count)
    }

    public static func normalise(_ text: String) -> [String] {
        let kept = text.lowercased().map { (character: Character) -> Character in
            character.isLetter || character.isNumber || character == "'" ? character : " "
        }
        return String(kept).split(separator: " ").map(String.init)
    }
}
