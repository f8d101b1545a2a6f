import ParleyCore
import Testing

@Suite struct SpeakerAttributionTests {
    static func word(_ start: Double, _ end: Double, _ text: String) -> TranscriptWord {
        TranscriptWord(start: start, end: end, word: text, probability: 0.9)
    }

    let recognized = [
        RecognizedSegment(
            start: 0, end: 4, text: "hello there how are you",
            words: [
                word(0, 0.5, "hello"), word(0.5, 1, "there"), word(2.1, 2.5, "how"), word(2.5, 3, "are"), word(3, 4, "you"),
            ]),
        RecognizedSegment(start: 5, end: 6, text: "fine", words: [word(5, 6, "fine")]),
    ]

    @Test func splitsSegmentsWhereTheSpeakerChanges() {
        // Cluster label 7 speaks first, so it must become Speaker 1.
        let diarization = Diarization(
            duration: 6,
            turns: [
                .init(start: 0, end: 1.9, speaker: 7), .init(start: 2.0, end: 4.2, speaker: 3), .init(start: 4.8, end: 6, speaker: 7),
            ], speakers: [.init(speaker: 7, embedding: [1, 0]), .init(speaker: 3, embedding: [0, 1])])
        let result = SpeakerAttribution.attribute(recognized, diarization: diarization)
        #expect(result.segments.map(\.text) == ["hello there", "how are you", "fine"])
        #expect(result.segments.map(\.speakerLabel) == ["Speaker 1", "Speaker 2", "Speaker 1"])
        #expect(result.segments[1].start == 2.1 && result.segments[1].end == 4)
        #expect(result.speakers.map(\.id) == ["speaker_1", "speaker_2"])
        #expect(result.speakers[0].embedding == [1, 0])
        #expect(result.turns.map(\.speakerID) == ["speaker_1", "speaker_2", "speaker_1"])
    }

    @Test func wordGoesToTheTurnItOverlapsMost() {
        // "there" (0.5–1.0) overlaps turn A by 0.1 s and turn B by 0.4 s.
        let diarization = Diarization(
            duration: 6,
            turns: [
                .init(start: 0, end: 0.6, speaker: 0), .init(start: 0.6, end: 6, speaker: 1),
            ], speakers: [])
        let result = SpeakerAttribution.attribute(recognized, diarization: diarization)
        #expect(result.segments.first?.words.map(\.word) == ["hello"])
        #expect(result.segments[1].words.first?.word == "there")
    }

    @Test func wordInAGapGoesToTheNearestTurn() {
        let diarization = Diarization(
            duration: 6,
            turns: [
                .init(start: 0, end: 1, speaker: 0), .init(start: 4.9, end: 6, speaker: 1),
            ], speakers: [])
        let result = SpeakerAttribution.attribute(recognized, diarization: diarization)
        let owners = result.segments.flatMap { segment in segment.words.map { ($0.word, segment.speakerLabel) } }
        #expect(owners.first { $0.0 == "how" }?.1 == "Speaker 1")
        #expect(owners.first { $0.0 == "you" }?.1 == "Speaker 2")
    }

    @Test func withoutDiarizationEverythingIsSpeakerOne() {
        let result = SpeakerAttribution.attribute(recognized, diarization: nil)
        #expect(Set(result.segments.map(\.speakerLabel)) == ["Speaker 1"])
        #expect(result.segments.map(\.text) == ["hello there how are you", "fine"])
        #expect(result.speakers.count == 1)
        #expect(result.speakers[0].talkingTimePercentage == 100)
        #expect(result.speakers[0].customName == nil)
    }

    @Test func voicesThatSaidNothingAreNotSpeakers() {
        let diarization = Diarization(
            duration: 20,
            turns: [
                .init(start: 0, end: 6, speaker: 0), .init(start: 10, end: 20, speaker: 1),
            ], speakers: [])
        let result = SpeakerAttribution.attribute(recognized, diarization: diarization)
        #expect(result.speakers.map(\.id) == ["speaker_1"])
    }

    @Test func statisticsAddUp() {
        let diarization = Diarization(
            duration: 6,
            turns: [
                .init(start: 0, end: 1.9, speaker: 0), .init(start: 2.0, end: 4.2, speaker: 1), .init(start: 4.8, end: 6, speaker: 0),
            ], speakers: [])
        let speakers = SpeakerAttribution.attribute(recognized, diarization: diarization).speakers
        #expect(speakers[0].totalDuration == 2 && speakers[1].totalDuration == 1.9)
        #expect(speakers[0].segmentCount == 2 && speakers[1].segmentCount == 1)
        #expect(speakers[0].wordCount == 3 && speakers[1].wordCount == 3)
        #expect(abs(speakers.map(\.talkingTimePercentage).reduce(0, +) - 100) < 0.2)
        #expect(speakers[0].wordsPerMinute == 90)
        #expect(speakers[0].speakerColor != speakers[1].speakerColor)
    }

    @Test func emptyInputGivesAnEmptyResult() {
        let result = SpeakerAttribution.attribute([], diarization: Diarization(duration: 3, turns: [], speakers: []))
        #expect(result.segments.isEmpty && result.speakers.isEmpty && result.turns.isEmpty)
    }
}
