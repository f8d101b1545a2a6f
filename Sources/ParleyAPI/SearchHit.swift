/// One hit of `GET /api/v1/search`: the meeting, the line (or summary sentence, decision,
/// …) and the time a player can jump to. The server's search ranks these and the client's
/// `parley search` decodes them: one type, so the two cannot drift.
public struct SearchHit: Codable, Sendable, Equatable {
    public var meetingId: String
    public var meetingTitle: String
    public var segmentId: Int64
    /// What matched: `transcript`, `summary`, `decision`, `action_item`, `topic`, ….
    public var kind: String
    public var start: Double
    public var end: Double
    /// The speaker's id ("speaker_1"), or the reference as stored when it names no speaker.
    public var speakerId: String
    public var speakerName: String
    /// The matching text: with `<mark>` around the matched words for keyword hits, as
    /// stored for hits by meaning.
    public var snippet: String
    /// Higher is better: BM25 (keyword), cosine (semantic) or the fused rank (hybrid).
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case kind, start, end, snippet, score
        case meetingId = "meeting_id"
        case meetingTitle = "meeting_title"
        case segmentId = "segment_id"
        case speakerId = "speaker_id"
        case speakerName = "speaker_name"
    }

    public init(
        meetingId: String, meetingTitle: String, segmentId: Int64, kind: String, start: Double, end: Double,
        speakerId: String, speakerName: String, snippet: String, score: Double
    ) {
        self.meetingId = meetingId
        self.meetingTitle = meetingTitle
        self.segmentId = segmentId
        self.kind = kind
        self.start = start
        self.end = end
        self.speakerId = speakerId
        self.speakerName = speakerName
        self.snippet = snippet
        self.score = score
    }
}

/// The answer of `GET /api/v1/search`.
public struct SearchResults: Codable, Sendable, Equatable {
    public var query: String
    /// The mode that ranked the hits: `hybrid` becomes `keyword` without the sentence model.
    public var mode: String
    public var hits: [SearchHit]

    public init(query: String, mode: String, hits: [SearchHit]) {
        self.query = query
        self.mode = mode
        self.hits = hits
    }
}
