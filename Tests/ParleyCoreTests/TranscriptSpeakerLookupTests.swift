import Foundation
import ParleyCore
import Testing

/// Segments name their speaker by label and turns by id; `Transcript.speaker(_:)` resolves
/// both, and the segment keeps the user's `speaker_id` key on the wire.
@Suite struct TranscriptSpeakerLookupTests {
    let transcript: Transcript = {
        var speakers = [
            Speaker(id: "speaker_1", displayName: "Speaker 1", speakerColor: SpeakerIdentity.color(ordinal: 1)),
            Speaker(id: "speaker_2", displayName: "Speaker 2", speakerColor: SpeakerIdentity.color(ordinal: 2)),
        ]
        speakers[1].customName = "Ada"
        let segments = [TranscriptionSegment(start: 0, end: 1, text: "Hi", speakerLabel: "Speaker 2", confidence: 1, words: [])]
        return Transcript(duration: 1, language: "en", model: "tiny.en", segments: segments, speakers: speakers, speakerTurns: [])
    }()

    @Test func resolvesLabelsAndIds() {
        #expect(transcript.speaker(for: transcript.segments[0])?.id == "speaker_2")
        #expect(transcript.speaker("Speaker 1")?.id == "speaker_1")
        #expect(transcript.speaker("speaker_2")?.displayName == "Speaker 2")
        #expect(transcript.speaker("Ada") == nil)
    }

    @Test func namesFallBackToTheReference() {
        #expect(transcript.speakerName("Speaker 2") == "Ada")
        #expect(transcript.speakerName("speaker_1") == "Speaker 1")
        #expect(transcript.speakerName("Speaker 9") == "Speaker 9")
    }

    @Test func segmentLabelKeepsItsWireKey() throws {
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(transcript.segments[0])) as? [String: Any]
        #expect(json?["speaker_id"] as? String == "Speaker 2")
        #expect(json?["speakerLabel"] == nil)
    }
}
