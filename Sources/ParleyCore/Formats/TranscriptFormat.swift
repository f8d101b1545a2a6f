import Foundation

/// The output formats every surface (CLI, server export) offers for a transcript.
public enum TranscriptFormat: String, CaseIterable, Sendable, Codable {
    case json, txt, srt, vtt, rttm, md

    /// Renders `transcript`; `recordingName` is the RTTM file id; `context` feeds minutes.
    public func render(
        _ transcript: Transcript, recordingName: String = "recording", context: ExportContext = .init()
    ) throws -> String {
        switch self {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(transcript), as: UTF8.self) + "\n"
        case .txt:
            return transcript.segments.map { "[\(Timecode.clock($0.start))] \(name(of: $0, in: transcript)): \($0.text)" }
                .joined(separator: "\n") + "\n"
        case .srt:
            return SubtitleRenderer.srt(transcript.segments) { name(of: $0, in: transcript) }
        case .vtt:
            return SubtitleRenderer.vtt(transcript.segments) { name(of: $0, in: transcript) }
        case .rttm:
            return RTTMRenderer.render(transcript, recordingName: recordingName)
        case .md:
            return MinutesRenderer.render(transcript, context: context)
        }
    }

    /// The user's name for the voice where there is one, else "Speaker N".
    private func name(of segment: TranscriptionSegment, in transcript: Transcript) -> String {
        transcript.speakerName(segment.speakerLabel)
    }
}
