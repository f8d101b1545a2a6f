import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyCore

/// A transcript in the shapes OpenAI's transcription API returns.
enum OpenAIResponse {
    static func render(_ transcript: Transcript, format: String, words: Bool) throws -> Response {
        let text = transcript.segments.map(\.text).joined(separator: " ")
        switch format {
        case "text": return plain(text + "\n", type: "text/plain; charset=utf-8")
        case "srt": return plain(cues(transcript, separator: ",", header: "", numbered: true), type: "text/plain; charset=utf-8")
        case "vtt": return plain(cues(transcript, separator: ".", header: "WEBVTT\n\n", numbered: false), type: "text/vtt; charset=utf-8")
        case "verbose_json": return try JSONResponse.make(verbose(transcript, text: text, words: words))
        case "diarized_json": return try JSONResponse.make(diarized(transcript, text: text))
        default: return try JSONResponse.make(["text": text])
        }
    }

    static func plain(_ body: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func cues(_ transcript: Transcript, separator: Character, header: String, numbered: Bool) -> String {
        header
            + transcript.segments.enumerated().map { index, segment in
                let timing =
                    "\(Timecode.format(segment.start, fractionSeparator: separator)) --> "
                    + Timecode.format(max(segment.end, segment.start + 0.001), fractionSeparator: separator)
                return (numbered ? "\(index + 1)\n" : "") + "\(timing)\n\(segment.text)\n"
            }.joined(separator: "\n")
    }

    /// OpenAI's `verbose_json`; its snake_case keys come from `ParleyJSON` (`JSONResponse`).
    struct Verbose: Encodable {
        struct Segment: Encodable {
            var id: Int
            var seek = 0
            var start: Double
            var end: Double
            var text: String
            var tokens: [Int] = []
            var temperature = 0.0
            var avgLogprob: Double
            var compressionRatio = 1.0
            var noSpeechProb = 0.0
        }

        struct Word: Encodable {
            var word: String
            var start: Double
            var end: Double
        }

        var task = "transcribe"
        var language: String
        var duration: Double
        var text: String
        var segments: [Segment]
        var words: [Word]?
    }

    static func verbose(_ transcript: Transcript, text: String, words: Bool) -> Verbose {
        Verbose(
            language: languageName(transcript.language), duration: transcript.duration, text: text,
            segments: transcript.segments.enumerated().map { index, segment in
                Verbose.Segment(
                    id: index, start: segment.start, end: segment.end, text: segment.text,
                    avgLogprob: log(max(segment.confidence, 1e-6)))
            },
            words: words ? transcript.segments.flatMap { $0.words.map { Verbose.Word(word: $0.word, start: $0.start, end: $0.end) } } : nil)
    }

    struct Diarized: Encodable {
        struct Segment: Encodable {
            var type = "transcript.text.segment"
            var id: String
            var start: Double
            var end: Double
            var text: String
            var speaker: String
        }

        var task = "transcribe"
        var duration: Double
        var text: String
        var segments: [Segment]
    }

    static func diarized(_ transcript: Transcript, text: String) -> Diarized {
        Diarized(
            duration: transcript.duration, text: text,
            segments: transcript.segments.enumerated().map { index, segment in
                let name = transcript.speakerName(segment.speakerLabel)
                return Diarized.Segment(id: "seg_\(index)", start: segment.start, end: segment.end, text: segment.text, speaker: name)
            })
    }

    /// OpenAI names the language ("english"); Whisper gives a code.
    static func languageName(_ code: String?) -> String {
        guard let code else { return "unknown" }
        return Locale(identifier: "en").localizedString(forLanguageCode: code)?.lowercased() ?? code
    }
}
