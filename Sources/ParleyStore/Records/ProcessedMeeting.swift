import ParleyCore

/// A meeting's transcript record (the `transcript` table): the attributed transcript and
/// what was learned from it — as the machine produced them, or with the user's edits
/// applied (`TranscriptRepository.current`).
public struct ProcessedMeeting: Codable, Sendable, Equatable {
    public var transcript: Transcript
    public var insights: MeetingInsights?

    public init(transcript: Transcript, insights: MeetingInsights?) {
        self.transcript = transcript
        self.insights = insights
    }
}
