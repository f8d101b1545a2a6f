import Mustache
import ParleyCore
import Foundation

/// The transcript as the page renders it: segments with their speaker's colour and name,
/// and every word as a span with its start time, so a click can seek the player there.
///
/// Segments and words conform to `MustacheParent`: a one-hour meeting has ~10,000 words,
/// and looking fields up with a switch instead of `Mirror` keeps the render fast.
struct TranscriptView: Sendable {
    struct Word: Sendable, MustacheParent {
        /// The whitespace before the word as the recogniser gave it (" " or "").
        var lead: String
        var text: String
        var start: String

        func child(named name: String) -> Any? {
            switch name {
            case "lead": lead
            case "text": text
            case "start": start
            default: nil
            }
        }
    }

    struct Segment: Sendable, MustacheParent {
        var index: Int
        var start: String
        var end: String
        var clock: String
        var speakerID: String
        var speakerName: String
        var color: String
        var words: [Word]
        var text: String
        /// A person corrected the words (the page offers "revert").
        var corrected: Bool

        /// The words as `<span class="w" data-start="…">word</span>`, built here rather than
        /// by a Mustache loop: a one-hour meeting has ~15,000 of them and this is the page's
        /// hot path (the markup is the same the template would produce; text is escaped).
        static func html(_ words: [Word]) -> String {
            var html = ""
            html.reserveCapacity(words.count * 48)
            for word in words {
                html += word.lead
                html += "<span class=\"w\" data-start=\""
                html += word.start
                html += "\">"
                html += WebFormat.escape(word.text)
                html += "</span>"
            }
            return html
        }

        func child(named name: String) -> Any? {
            switch name {
            case "index": index
            case "start": start
            case "end": end
            case "clock": clock
            case "speakerID": speakerID
            case "speakerName": speakerName
            case "color": color
            case "words": words
            case "wordsHTML": Self.html(words)
            case "hasWords": !words.isEmpty
            case "text": text
            case "corrected": corrected
            default: nil
            }
        }
    }

    var segments: [Segment]

    init(segments: [Segment]) {
        self.segments = segments
    }

    init(_ transcript: Transcript) {
        segments = transcript.segments.enumerated().map { index, segment in
            let speaker = transcript.speaker(for: segment)
            return Segment(
                index: index, start: WebFormat.seconds(segment.start), end: WebFormat.seconds(segment.end),
                clock: WebFormat.clock(segment.start), speakerID: speaker?.id ?? "",
                speakerName: speaker?.name ?? segment.speakerLabel, color: WebFormat.color(speaker?.speakerColor ?? ""),
                words: Self.words(segment), text: segment.text.trimmingCharacters(in: .whitespaces),
                corrected: segment.corrected == true)
        }
    }

    /// The segment's words with the spacing of its text: the engine stores words trimmed,
    /// so each word is found in the text and takes the whitespace before it from there
    /// ("it's", "so," and "begins!" stay glued to what precedes them). A word the text does
    /// not contain falls back to a single space.
    static func words(_ segment: TranscriptionSegment) -> [Word] {
        let text = segment.text
        var cursor = text.startIndex
        return segment.words.enumerated().map { index, word in
            let trimmed = word.word.trimmingCharacters(in: .whitespacesAndNewlines)
            var lead = index == 0 ? "" : " "
            if !trimmed.isEmpty, let found = text.range(of: trimmed, range: cursor..<text.endIndex),
                text[cursor..<found.lowerBound].allSatisfy(\.isWhitespace)
            {
                lead = index == 0 || found.lowerBound == cursor ? "" : " "
                cursor = found.upperBound
            }
            return Word(lead: lead, text: trimmed, start: WebFormat.seconds(word.start))
        }
    }
}
