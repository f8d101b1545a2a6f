/// NIST RTTM: `SPEAKER <file> 1 <onset> <duration> <NA> <NA> <speaker> <NA> <NA>`, the
/// format diarization scorers (pyannote.metrics, dscore) read.
enum RTTMRenderer {
    static func render(_ transcript: Transcript, recordingName: String) -> String {
        let file = token(recordingName)
        let rows = turns(of: transcript).map { turn in
            "SPEAKER \(file) 1 \(seconds(turn.start)) \(seconds(turn.duration)) <NA> <NA> \(token(turn.speakerID)) <NA> <NA>"
        }
        return rows.isEmpty ? "" : rows.joined(separator: "\n") + "\n"
    }

    /// Diarization turns when there are any; otherwise the segments stand in for them.
    private static func turns(of transcript: Transcript) -> [SpeakerTurn] {
        if !transcript.speakerTurns.isEmpty { return transcript.speakerTurns }
        return transcript.segments.map { segment in
            let id = transcript.speaker(for: segment)?.id ?? "speaker_1"
            return SpeakerTurn(start: segment.start, end: segment.end, speakerID: id)
        }
    }

    private static func seconds(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// RTTM fields are whitespace-separated.
    private static func token(_ text: String) -> String {
        let cleaned = text.map { $0.isWhitespace ? "_" : $0 }
        return cleaned.isEmpty ? "recording" : String(cleaned)
    }
}
