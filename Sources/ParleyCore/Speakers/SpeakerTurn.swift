/// A stretch of time in which diarization heard one speaker.
public struct SpeakerTurn: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// The speaker's stable id ("speaker_1").
    public var speakerID: String

    enum CodingKeys: String, CodingKey {
        case start, end
        case speakerID = "speaker_id"
    }

    public init(start: Double, end: Double, speakerID: String) {
        self.start = start
        self.end = end
        self.speakerID = speakerID
    }

    public var duration: Double { max(0, end - start) }

    /// Seconds this turn shares with the interval `[start, end]`.
    public func overlap(start otherStart: Double, end otherEnd: Double) -> Double {
        max(0, min(end, otherEnd) - max(start, otherStart))
    }
}
