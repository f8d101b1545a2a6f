/// Keeps word timings when a person corrects a segment's text: the corrected words are
/// aligned to the recognised ones (edit distance over normalised words), a kept or replaced
/// word keeps its recognised timing, an inserted word gets a time interpolated between its
/// neighbours, and a removed word's time is simply gone. Timings stay ordered and inside the
/// segment, so seeking, highlighting and subtitle cues keep working.
public enum WordAlignment {
    public static func realign(_ recognised: [TranscriptWord], to text: String, start: Double, end: Double) -> [TranscriptWord] {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !tokens.isEmpty else { return [] }
        let pairs = align(recognised.map { normalised($0.word) }, tokens.map(normalised))
        var placed: [TranscriptWord?] = Array(repeating: nil, count: tokens.count)
        for (old, new) in pairs {
            guard let old, let new else { continue }
            let source = recognised[old]
            // The same word keeps the model's confidence; a replaced one is the user's word.
            let same = normalised(source.word) == normalised(tokens[new])
            placed[new] = TranscriptWord(
                start: source.start, end: source.end, word: tokens[new],
                probability: same ? source.probability : 1)
        }
        return interpolate(placed, tokens: tokens, start: start, end: end)
    }

    /// Lower-case letters and digits: "Seat-belts," and "seatbelts" compare equal.
    static func normalised(_ word: String) -> String {
        String(word.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
    }

    /// Levenshtein alignment: (old index?, new index?) pairs in order; a nil side is an
    /// insertion or a deletion.
    static func align(_ old: [String], _ new: [String]) -> [(Int?, Int?)] {
        let n = old.count, m = new.count
        var cost = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in 0...n { cost[i][0] = i }
        for j in 0...m { cost[0][j] = j }
        if n > 0 && m > 0 {
            for i in 1...n {
                for j in 1...m {
                    let substitute = cost[i - 1][j - 1] + (old[i - 1] == new[j - 1] ? 0 : 1)
                    cost[i][j] = min(substitute, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
                }
            }
        }
        var pairs: [(Int?, Int?)] = []
        var i = n, j = m
        while i > 0 || j > 0 {
            if i > 0, j > 0, cost[i][j] == cost[i - 1][j - 1] + (old[i - 1] == new[j - 1] ? 0 : 1) {
                pairs.append((i - 1, j - 1)); i -= 1; j -= 1
            } else if i > 0, cost[i][j] == cost[i - 1][j] + 1 {
                pairs.append((i - 1, nil)); i -= 1
            } else {
                pairs.append((nil, j - 1)); j -= 1
            }
        }
        return pairs.reversed()
    }

    /// Times for the words the alignment could not place: the gap between the placed
    /// neighbours (or the segment's edges) shared evenly; then order and bounds enforced.
    static func interpolate(_ placed: [TranscriptWord?], tokens: [String], start: Double, end: Double) -> [TranscriptWord] {
        var words: [TranscriptWord] = []
        var index = 0
        while index < placed.count {
            if let word = placed[index] {
                words.append(word)
                index += 1
                continue
            }
            var last = index
            while last + 1 < placed.count, placed[last + 1] == nil { last += 1 }
            let from = words.last?.end ?? start
            let to = (last + 1 < placed.count ? placed[last + 1]?.start : nil) ?? end
            let count = last - index + 1
            let step = max(0, to - from) / Double(count)
            for offset in 0..<count {
                let wordStart = from + step * Double(offset)
                words.append(TranscriptWord(start: wordStart, end: wordStart + step, word: tokens[index + offset], probability: 1))
            }
            index = last + 1
        }
        var floor = start
        return words.map { word in
            var word = word
            word.start = min(max(word.start, floor), end)
            word.end = min(max(word.end, word.start), end)
            floor = word.start
            return word
        }
    }
}
