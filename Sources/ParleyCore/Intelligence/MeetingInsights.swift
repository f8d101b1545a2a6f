/// What the summarize stage learns about a meeting (engine/PROTOCOL.md, `summarize`):
/// central sentences, topics, per-speaker insights, action items, decisions, questions.
/// Items point at speakers by the segments' label ("Speaker 1") or id and by time, never by
/// name, so a rename shows everywhere; resolve them with `Transcript.speaker(_:)`.
public struct MeetingInsights: Codable, Sendable, Equatable {
    public struct Sentence: Codable, Sendable, Equatable {
        public var speakerID: String
        public var text: String
        public var start: Double
        public var end: Double

        enum CodingKeys: String, CodingKey {
            case text, start, end
            case speakerID = "speaker_id"
        }

        public init(speakerID: String, text: String, start: Double, end: Double) {
            self.speakerID = speakerID
            self.text = text
            self.start = start
            self.end = end
        }
    }

    public struct ActionItem: Codable, Sendable, Equatable {
        /// Who committed or asked (a speaker id); absent inside a speaker's own list.
        public var owner: String?
        public var text: String
        public var start: Double
        public var end: Double
        public var kind: String?
        public var due: String?
        public var assignee: String?

        public init(
            owner: String?, text: String, start: Double, end: Double, kind: String? = nil, due: String? = nil,
            assignee: String? = nil
        ) {
            self.owner = owner
            self.text = text
            self.start = start
            self.end = end
            self.kind = kind
            self.due = due
            self.assignee = assignee
        }
    }

    /// The user's `SpeakerInsights` (talking time is added from the speaker statistics).
    public struct SpeakerInsights: Codable, Sendable, Equatable {
        public var speakerID: String
        public var talkingTimePercentage: Double?
        public var keyTopics: [String]
        public var sentiment: String
        public var sentimentScore: Double?
        public var actionItems: [ActionItem]

        enum CodingKeys: String, CodingKey {
            case sentiment
            case speakerID = "speaker_id"
            case talkingTimePercentage = "talking_time_percentage"
            case keyTopics = "key_topics"
            case sentimentScore = "sentiment_score"
            case actionItems = "action_items"
        }

        public init(
            speakerID: String, talkingTimePercentage: Double? = nil, keyTopics: [String], sentiment: String,
            sentimentScore: Double? = nil, actionItems: [ActionItem]
        ) {
            self.speakerID = speakerID
            self.talkingTimePercentage = talkingTimePercentage
            self.keyTopics = keyTopics
            self.sentiment = sentiment
            self.sentimentScore = sentimentScore
            self.actionItems = actionItems
        }
    }

    public var summary: [Sentence]
    public var keyTopics: [String]
    public var speakers: [SpeakerInsights]
    public var actionItems: [ActionItem]
    public var decisions: [Sentence]
    public var questions: [Sentence]
    /// "offline" (extractive) or "llm:<model>"; with the reason when an LLM summary failed.
    public var source: String?
    public var fallbackReason: String?

    enum CodingKeys: String, CodingKey {
        case summary, speakers, decisions, questions, source
        case keyTopics = "key_topics"
        case actionItems = "action_items"
        case fallbackReason = "fallback_reason"
    }

    public init(
        summary: [Sentence] = [], keyTopics: [String] = [], speakers: [SpeakerInsights] = [], actionItems: [ActionItem] = [],
        decisions: [Sentence] = [], questions: [Sentence] = [], source: String? = nil, fallbackReason: String? = nil
    ) {
        self.summary = summary
        self.keyTopics = keyTopics
        self.speakers = speakers
        self.actionItems = actionItems
        self.decisions = decisions
        self.questions = questions
        self.source = source
        self.fallbackReason = fallbackReason
    }
}
