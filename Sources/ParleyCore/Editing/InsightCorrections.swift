import Foundation

/// Makes the summary, action items, decisions and questions quote a segment as corrected:
/// insights are computed once from the machine's words, and a person's correction of a
/// misheard name should not leave the old spelling in the summary.
extension MeetingInsights {
    public func correcting(from machine: Transcript, to edited: Transcript) -> MeetingInsights {
        var fixes: [(start: Double, end: Double, old: String, new: String, words: [(String, String)])] = []
        for (index, segment) in edited.segments.enumerated()
        where segment.corrected == true && machine.segments.indices.contains(index) {
            let before = machine.segments[index]
            let pairs = WordAlignment.align(
                before.words.map { WordAlignment.normalised($0.word) },
                segment.words.map { WordAlignment.normalised($0.word) })
            let swaps: [(String, String)] = pairs.compactMap { pair in
                guard let old = pair.0, let new = pair.1,
                    WordAlignment.normalised(before.words[old].word) != WordAlignment.normalised(segment.words[new].word)
                else { return nil }
                return (Self.bare(before.words[old].word), Self.bare(segment.words[new].word))
            }
            fixes.append((before.start, before.end, before.text, segment.text, swaps))
        }
        guard !fixes.isEmpty else { return self }
        func fix(_ text: String, _ start: Double, _ end: Double) -> String {
            var text = text
            for fix in fixes where start < fix.end + 0.01 && end > fix.start - 0.01 {
                if !fix.old.isEmpty, text.contains(fix.old) {
                    text = text.replacingOccurrences(of: fix.old, with: fix.new)
                } else {
                    for (old, new) in fix.words where !old.isEmpty { text = WholeWords.replacing(old, with: new, in: text) }
                }
            }
            return text
        }
        var result = self
        result.summary = summary.map {
            var s = $0; s.text = fix(s.text, s.start, s.end); return s
        }
        result.decisions = decisions.map {
            var s = $0; s.text = fix(s.text, s.start, s.end); return s
        }
        result.questions = questions.map {
            var s = $0; s.text = fix(s.text, s.start, s.end); return s
        }
        result.actionItems = actionItems.map {
            var a = $0; a.text = fix(a.text, a.start, a.end); return a
        }
        result.speakers = speakers.map { speaker in
            var speaker = speaker
            speaker.actionItems = speaker.actionItems.map {
                var a = $0; a.text = fix(a.text, a.start, a.end); return a
            }
            return speaker
        }
        return result
    }

    /// A word without the punctuation around it.
    static func bare(_ word: String) -> String {
        String(word.drop { !$0.isLetter && !$0.isNumber }.reversed().drop { !$0.isLetter && !$0.isNumber }.reversed())
    }
}
