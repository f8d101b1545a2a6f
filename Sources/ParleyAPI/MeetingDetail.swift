import ParleyCore

/// A meeting with everything the server holds about it.
public struct MeetingDetail: Codable, Sendable, Equatable {
    public var meeting: MeetingSummary
    public var transcript: Transcript?
    public var insights: MeetingInsights?
    /// The summary as prose with the speakers' current names.
    public var summaryText: String?

    enum CodingKeys: String, CodingKey {
        case meeting, transcript, insights
        case summaryText = "summary_text"
    }

    public init(meeting: MeetingSummary, transcript: Transcript?, insights: MeetingInsights? = nil) {
        self.meeting = meeting
        self.transcript = transcript
        self.insights = insights
        if let insights, let transcript {
            summaryText = SummaryWriter.prose(insights, names: transcript.speakerName)
        }
    }
}

/// The answer of the duplicate checks: does the server already hold this recording?
public struct MeetingCheck: Codable, Sendable, Equatable {
    public var exists: Bool
    public var meeting: MeetingSummary?

    public init(exists: Bool, meeting: MeetingSummary?) {
        self.exists = exists
        self.meeting = meeting
    }
}

/// What the server holds, by identity only: for a client's start-up reconciliation.
public struct SyncedMeeting: Codable, Sendable, Equatable {
    public var id: String
    public var clientID: String?
    public var sha256: String
    public var status: MeetingStatus

    enum CodingKeys: String, CodingKey {
        case id, sha256, status
        case clientID = "client_id"
    }

    public init(id: String, clientID: String?, sha256: String, status: MeetingStatus) {
        self.id = id
        self.clientID = clientID
        self.sha256 = sha256
        self.status = status
    }
}
