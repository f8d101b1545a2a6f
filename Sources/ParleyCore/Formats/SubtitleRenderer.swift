import Foundation

/// SRT and WebVTT cues, one per segment, with the speaker named in each cue.
enum SubtitleRenderer {
    static func srt(_ segments: [TranscriptionSegment], speaker: (TranscriptionSegment) -> String) -> String {
        segments.enumerated().map { index, segment in
            let (start, end) = cueTimes(segment)
            return "\(index + 1)\n"
                + "\(Timecode.format(start, fractionSeparator: ",")) --> \(Timecode.format(end, fractionSeparator: ","))\n"
                + "\(speaker(segment)): \(cueText(segment.text))\n"
        }.joined(separator: "\n")
    }

    static func vtt(_ segments: [TranscriptionSegment], speaker: (TranscriptionSegment) -> String) -> String {
        "WEBVTT\n\n"
            + segments.map { segment in
                let (start, end) = cueTimes(segment)
                return "\(Timecode.format(start, fractionSeparator: ".")) --> \(Timecode.format(end, fractionSeparator: "."))\n"
                    + "<v \(voiceName(speaker(segment)))>\(escapeVTT(cueText(segment.text)))\n"
            }.joined(separator: "\n")
    }

    /// Players drop cues whose end is not after their start.
    private static func cueTimes(_ segment: TranscriptionSegment) -> (Double, Double) {
        (segment.start, max(segment.end, segment.start + 0.001))
    }

    /// A blank line ends a cue, so text never carries one.
    private static func cueText(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func escapeVTT(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A voice annotation ends at `>`; names are the user's, so keep them well-formed.
    private static func voiceName(_ name: String) -> String {
        escapeVTT(name).replacingOccurrences(of: "\n", with: " ")
    }
}
