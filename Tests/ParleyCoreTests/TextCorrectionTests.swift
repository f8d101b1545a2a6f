import ParleyCore
import Testing

/// Correcting a segment's words: timings realigned, insights quoting the correction, and
/// reverting back to the machine's words.
@Suite struct TextCorrectionTests {
    static func word(_ start: Double, _ end: Double, _ text: String, _ p: Double = 0.8) -> TranscriptWord {
        TranscriptWord(start: start, end: end, word: text, probability: p)
    }

    // "we met with ann and bob" said from 1 s to 4 s.
    let words = [
        word(1.0, 1.3, "We"), word(1.3, 1.6, "met"), word(1.6, 1.9, "with"), word(2.0, 2.6, "Ann"),
        word(2.6, 2.9, "and"), word(3.0, 4.0, "Bob."),
    ]

    func ordered(_ words: [TranscriptWord], within start: Double, _ end: Double) -> Bool {
        zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start && $0.end <= $1.start + 1e-9 }
            && words.allSatisfy { $0.start >= start && $0.end <= end && $0.start <= $0.end }
    }

    @Test func aReplacedWordKeepsItsTimeAndUnchangedWordsTheirConfidence() {
        let fixed = WordAlignment.realign(words, to: "We met with Anne and Bob.", start: 1, end: 4)
        #expect(fixed.map(\.word) == ["We", "met", "with", "Anne", "and", "Bob."])
        #expect(fixed[3].start == 2.0 && fixed[3].end == 2.6 && fixed[3].probability == 1)
        #expect(fixed[0].probability == 0.8 && fixed[5].start == 3.0)
    }

    @Test func insertedWordsAreInterpolatedAndRemovedOnesDropped() {
        let fixed = WordAlignment.realign(words, to: "We met with Ann Marie Smith and Bob.", start: 1, end: 4)
        #expect(fixed.map(\.word) == ["We", "met", "with", "Ann", "Marie", "Smith", "and", "Bob."])
        #expect(ordered(fixed, within: 1, 4))
        // Between "Ann" (ends 2.6) and "and" (starts 2.6): the inserted words take that instant.
        #expect(fixed[4].start == 2.6 && fixed[5].end == 2.6)
        let spaced = WordAlignment.realign(words, to: "We met with Ann and the others Bob.", start: 1, end: 4)
        // Between "and" (ends 2.9) and "Bob." (starts 3.0): 0.1 s shared by two words.
        #expect(abs(spaced[5].start - 2.9) < 1e-9 && abs(spaced[6].start - 2.95) < 1e-9 && abs(spaced[6].end - 3.0) < 1e-9)
        let shorter = WordAlignment.realign(words, to: "We met Bob.", start: 1, end: 4)
        #expect(shorter.map(\.word) == ["We", "met", "Bob."] && shorter[2].start == 3.0)
        let leading = WordAlignment.realign(words, to: "So we met with Ann and Bob.", start: 1, end: 4)
        #expect(leading[0].word == "So" && leading[0].start == 1 && ordered(leading, within: 1, 4))
    }

    @Test func anEntirelyNewSentenceStillFitsTheSegment() {
        let fixed = WordAlignment.realign(words, to: "Completely different words here", start: 1, end: 4)
        #expect(fixed.count == 4 && ordered(fixed, within: 1, 4))
    }

    func transcript() -> Transcript {
        let segment = TranscriptionSegment(
            start: 1, end: 4, text: "We met with Ann and Bob.", speakerLabel: "Speaker 1",
            confidence: 0.8, words: words)
        return Transcript(duration: 5, language: "en", model: "tiny.en", segments: [segment], speakers: [], speakerTurns: [])
    }

    @Test func correctAndRevertAsEdits() {
        let machine = transcript()
        let corrected = machine.applying([.correctText(segment: 0, text: "We met with Anne and Bob.")])
        #expect(corrected.segments[0].text == "We met with Anne and Bob." && corrected.segments[0].corrected == true)
        let reverted = machine.applying([.correctText(segment: 0, text: "x y"), .revertText(segment: 0)])
        #expect(reverted.segments[0] == machine.segments[0])
        // Edits for segments that do not exist are skipped, not fatal.
        #expect(machine.applying([.correctText(segment: 9, text: "x")]) == machine)
    }

    @Test func insightsQuoteTheCorrection() {
        let machine = transcript()
        let corrected = machine.applying([.correctText(segment: 0, text: "We met with Anne and Bob.")])
        let insights = MeetingInsights(
            summary: [.init(speakerID: "Speaker 1", text: "We met with Ann and Bob.", start: 1, end: 4)],
            keyTopics: [], speakers: [],
            actionItems: [.init(owner: "Speaker 1", text: "Ann will call Bob", start: 2, end: 3)],
            decisions: [], questions: [.init(speakerID: "Speaker 1", text: "Where is Annabel?", start: 2, end: 3)])
        let fixed = insights.correcting(from: machine, to: corrected)
        #expect(fixed.summary[0].text == "We met with Anne and Bob.")
        #expect(fixed.actionItems[0].text == "Anne will call Bob")
        #expect(fixed.questions[0].text == "Where is Annabel?")  // whole words only
    }
}
