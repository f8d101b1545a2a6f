import Foundation
import ParleyCore
import ParleyTesting
import Testing

@Suite struct TranscriptFormatTests {
    let transcript: Transcript = {
        let segments = [
            TranscriptionSegment(
                start: 0.5, end: 2.25, text: "Hello <team> & all", speakerLabel: "Speaker 1", confidence: 0.9,
                words: []),
            TranscriptionSegment(
                start: 2.5, end: 3661.001, text: "Long\nline", speakerLabel: "Speaker 2", confidence: 0.8,
                words: []),
        ]
        var speakers = [
            Speaker(id: "speaker_1", displayName: "Speaker 1", speakerColor: SpeakerIdentity.color(ordinal: 1)),
            Speaker(id: "speaker_2", displayName: "Speaker 2", speakerColor: SpeakerIdentity.color(ordinal: 2)),
        ]
        speakers[1].customName = "Ada Lovelace"
        return Transcript(
            duration: 3700, language: "en", model: "tiny.en", segments: segments,
            speakers: SpeakerStatistics.update(speakers, from: segments),
            speakerTurns: [SpeakerTurn(start: 0.4, end: 2.3, speakerID: "speaker_1")])
    }()

    @Test func srtParses() throws {
        let cues = try SubtitleParser.srt(try TranscriptFormat.srt.render(transcript))
        #expect(cues.map(\.text) == ["Speaker 1: Hello <team> & all", "Ada Lovelace: Long line"])
        #expect(cues[1].start == 2.5 && abs(cues[1].end - 3661.001) < 0.0005)
    }

    @Test func vttParsesWithVoiceTags() throws {
        let text = try TranscriptFormat.vtt.render(transcript)
        let cues = try SubtitleParser.vtt(text)
        #expect(cues.map(\.text) == ["<v Speaker 1>Hello &lt;team&gt; &amp; all", "<v Ada Lovelace>Long line"])
        #expect(cues[0].start == 0.5 && cues[0].end == 2.25)
    }

    @Test func rttmHasTenColumnsPerTurn() throws {
        let lines = try TranscriptFormat.rttm.render(transcript, recordingName: "team sync").split(separator: "\n")
        #expect(lines == ["SPEAKER team_sync 1 0.400 1.900 <NA> <NA> speaker_1 <NA> <NA>"])
    }

    @Test func jsonCarriesTheUserSpecNames() throws {
        let json = try TranscriptFormat.json.render(transcript)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["duration", "language", "model", "segments", "speakers"]))
        let segment = try #require((object["segments"] as? [[String: Any]])?.first)
        #expect(Set(segment.keys) == ["start", "end", "text", "speaker_id", "confidence", "words"])
        let speaker = try #require((object["speakers"] as? [[String: Any]])?.first)
        #expect(
            Set(speaker.keys).isSuperset(of: [
                "id", "display_name", "custom_name", "total_duration", "segment_count", "talking_time_percentage", "speaker_color",
            ]))
        #expect(speaker["custom_name"] is NSNull)
        #expect(try JSONDecoder().decode(Transcript.self, from: Data(json.utf8)) == transcript)
    }

    @Test func textNamesSpeakers() throws {
        let text = try TranscriptFormat.txt.render(transcript)
        #expect(text == "[00:00] Speaker 1: Hello <team> & all\n[00:02] Ada Lovelace: Long\nline\n")
    }
}
