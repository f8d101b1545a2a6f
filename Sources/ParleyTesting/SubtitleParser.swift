import Foundation

/// A strict reader of SRT and WebVTT, independent of the renderers, for checking that
/// output is well-formed: numbered cues, `-->` timings, end after start, cues in order.
public enum SubtitleParser {
    public struct Cue: Equatable, Sendable {
        public var start: Double
        public var end: Double
        public var text: String
    }

    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    public static func srt(_ text: String) throws -> [Cue] {
        try blocks(text).enumerated().map { index, lines in
            guard lines.count >= 3, Int(lines[0]) == index + 1 else { throw Malformed(description: "bad cue \(index + 1)") }
            return try cue(timing: lines[1], separator: ",", text: lines[2...])
        }.validatedOrder()
    }

    public static func vtt(_ text: String) throws -> [Cue] {
        var all = blocks(text)
        guard all.first?.first == "WEBVTT" else { throw Malformed(description: "missing WEBVTT header") }
        all.removeFirst()
        return try all.map { lines in
            let timing = lines.firstIndex { $0.contains("-->") } ?? -1
            guard timing >= 0, timing + 1 < lines.count else { throw Malformed(description: "cue without timing or text") }
            return try cue(timing: lines[timing], separator: ".", text: lines[(timing + 1)...])
        }.validatedOrder()
    }

    private static func blocks(_ text: String) -> [[String]] {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
            .filter { !$0.isEmpty }
    }

    private static func cue(timing: String, separator: Character, text: ArraySlice<String>) throws -> Cue {
        let parts = timing.components(separatedBy: " --> ")
        guard parts.count == 2, let start = seconds(parts[0], separator), let end = seconds(parts[1], separator), end > start
        else { throw Malformed(description: "bad timing line: \(timing)") }
        return Cue(start: start, end: end, text: text.joined(separator: "\n"))
    }

    /// `HH:MM:SS<sep>mmm` with exactly two-digit minutes/seconds and three-digit millis.
    private static func seconds(_ stamp: String, _ separator: Character) -> Double? {
        let pieces = stamp.split(separator: separator)
        guard pieces.count == 2, pieces[1].count == 3, let millis = Int(pieces[1]) else { return nil }
        let clock = pieces[0].split(separator: ":")
        guard clock.count == 3, clock[1].count == 2, clock[2].count == 2,
            let h = Int(clock[0]), let m = Int(clock[1]), let s = Int(clock[2]), m < 60, s < 60
        else { return nil }
        return Double(h * 3600 + m * 60 + s) + Double(millis) / 1000
    }
}

extension Array where Element == SubtitleParser.Cue {
    func validatedOrder() throws -> Self {
        for (previous, next) in zip(self, dropFirst()) where next.start < previous.start {
            throw SubtitleParser.Malformed(description: "cues out of order at \(next.start)")
        }
        return self
    }
}
