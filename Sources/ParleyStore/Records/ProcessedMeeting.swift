import ParleyCore

/// What the summarize stage stores: the attributed transcript and what was learned from
/// it, before any user edits.
public struct ProcessedMeeting: Codable, Sendable, Equatable {
    public var transcript: Transcript
    public var insights: MeetingInsights?

    public init(transcript: Transcript, insights: MeetingInsights?) {
        self.transcript = transcript
        self.insights = insights
    }
}
