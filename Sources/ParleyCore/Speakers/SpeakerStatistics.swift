/// Per-speaker figures derived from the segments, so edits (rename, merge, reassign) can
/// recompute them instead of storing numbers that drift.
public enum SpeakerStatistics {
    public static func update(_ speakers: [Speaker], from segments: [TranscriptionSegment]) -> [Speaker] {
        var seconds: [String: Double] = [:]
        var counts: [String: Int] = [:]
        var words: [String: Int] = [:]
        for segment in segments {
            seconds[segment.speakerLabel, default: 0] += segment.duration
            counts[segment.speakerLabel, default: 0] += 1
            words[segment.speakerLabel, default: 0] +=
                segment.words.isEmpty
                ? segment.text.split(whereSeparator: \.isWhitespace).count : segment.words.count
        }
        let total = seconds.values.reduce(0, +)
        // Keyed by label: that is what segments hold (see `Transcript.speaker(_:)`).
        return speakers.map { speaker in
            var speaker = speaker
            let spoken = seconds[speaker.displayName] ?? 0
            speaker.totalDuration = rounded(spoken, places: 3)
            speaker.segmentCount = counts[speaker.displayName] ?? 0
            speaker.wordCount = words[speaker.displayName] ?? 0
            speaker.talkingTimePercentage = total > 0 ? rounded(100 * spoken / total, places: 1) : 0
            speaker.wordsPerMinute = spoken > 0 ? rounded(Double(speaker.wordCount) * 60 / spoken, places: 1) : 0
            return speaker
        }
    }

    static func rounded(_ value: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
