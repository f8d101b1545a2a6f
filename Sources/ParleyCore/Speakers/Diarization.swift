/// Who spoke when, as the speech engine reports it: anonymous cluster labels, not names.
public struct Diarization: Codable, Sendable, Equatable {
    public struct Turn: Codable, Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var speaker: Int

        public init(start: Double, end: Double, speaker: Int) {
            self.start = start
            self.end = end
            self.speaker = speaker
        }
    }

    public struct Voice: Codable, Sendable, Equatable {
        public var speaker: Int
        public var embedding: [Float]

        public init(speaker: Int, embedding: [Float]) {
            self.speaker = speaker
            self.embedding = embedding
        }
    }

    public var duration: Double
    public var turns: [Turn]
    public var speakers: [Voice]

    public init(duration: Double, turns: [Turn], speakers: [Voice]) {
        self.duration = duration
        self.turns = turns
        self.speakers = speakers
    }

    /// The label of the turn that overlaps `[start, end]` most; the nearest turn when none
    /// overlaps (a word in a gap between turns still belongs to someone); nil without turns.
    public func speaker(start: Double, end: Double) -> Int? {
        var best: (label: Int, overlap: Double, distance: Double)?
        for turn in turns {
            let overlap = max(0, min(turn.end, end) - max(turn.start, start))
            let middle = (start + end) / 2
            let distance = middle < turn.start ? turn.start - middle : max(0, middle - turn.end)
            if let current = best {
                if overlap > current.overlap || (overlap == current.overlap && distance < current.distance) {
                    best = (turn.speaker, overlap, distance)
                }
            } else {
                best = (turn.speaker, overlap, distance)
            }
        }
        return best?.label
    }
}
