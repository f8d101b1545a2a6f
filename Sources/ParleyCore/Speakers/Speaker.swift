/// A voice in one meeting, with the figures the user's spec asks for.
public struct Speaker: Codable, Sendable, Equatable {
    public var id: String
    public var displayName: String
    public var customName: String?
    public var totalDuration: Double
    public var segmentCount: Int
    public var talkingTimePercentage: Double
    public var speakerColor: String
    public var wordCount: Int
    public var wordsPerMinute: Double
    /// Mean voice embedding (L2-normalised), kept so later meetings can recognise the voice.
    public var embedding: [Float]?
    /// True when `custom_name` was suggested by a stored voiceprint and not yet accepted.
    public var suggested: Bool?

    enum CodingKeys: String, CodingKey {
        case id, embedding, suggested
        case displayName = "display_name"
        case customName = "custom_name"
        case totalDuration = "total_duration"
        case segmentCount = "segment_count"
        case talkingTimePercentage = "talking_time_percentage"
        case speakerColor = "speaker_color"
        case wordCount = "word_count"
        case wordsPerMinute = "words_per_minute"
    }

    public init(
        id: String, displayName: String, customName: String? = nil, totalDuration: Double = 0,
        segmentCount: Int = 0, talkingTimePercentage: Double = 0, speakerColor: String,
        wordCount: Int = 0, wordsPerMinute: Double = 0, embedding: [Float]? = nil
    ) {
        self.id = id
        self.displayName = displayName
        self.customName = customName
        self.totalDuration = totalDuration
        self.segmentCount = segmentCount
        self.talkingTimePercentage = talkingTimePercentage
        self.speakerColor = speakerColor
        self.wordCount = wordCount
        self.wordsPerMinute = wordsPerMinute
        self.embedding = embedding
    }

    // Encode `custom_name: null` explicitly: the user's spec lists the field.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(customName, forKey: .customName)
        try container.encode(totalDuration, forKey: .totalDuration)
        try container.encode(segmentCount, forKey: .segmentCount)
        try container.encode(talkingTimePercentage, forKey: .talkingTimePercentage)
        try container.encode(speakerColor, forKey: .speakerColor)
        try container.encode(wordCount, forKey: .wordCount)
        try container.encode(wordsPerMinute, forKey: .wordsPerMinute)
        try container.encodeIfPresent(embedding, forKey: .embedding)
        try container.encodeIfPresent(suggested, forKey: .suggested)
    }

    /// The name to show: the user's name for the voice, else "Speaker N".
    public var name: String { customName ?? displayName }
}
