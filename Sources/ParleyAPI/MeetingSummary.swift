import ParleyCore

/// The lightweight view of a meeting for lists and dashboards: no transcript body.
public struct MeetingSummary: Codable, Sendable, Equatable {
    public struct SpeakerPreview: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var color: String
        public var talkingTimePercentage: Double

        enum CodingKeys: String, CodingKey {
            case id, name, color
            case talkingTimePercentage = "talking_time_percentage"
        }

        public init(id: String, name: String, color: String, talkingTimePercentage: Double) {
            self.id = id
            self.name = name
            self.color = color
            self.talkingTimePercentage = talkingTimePercentage
        }
    }

    public var id: String
    public var clientID: String?
    public var ownerID: String
    public var title: String
    public var recordedAt: String?
    public var createdAt: String
    public var duration: Double?
    public var status: MeetingStatus
    public var stage: ProcessingStage?
    public var progress: Double
    public var failureReason: String?
    public var isPersonal: Bool
    public var workspaceID: String?
    public var sha256: String
    public var size: Int64
    public var speakers: [SpeakerPreview]
    public var summaryPreview: String?

    enum CodingKeys: String, CodingKey {
        case id, title, duration, status, stage, progress, sha256, size, speakers
        case clientID = "client_id"
        case ownerID = "owner_id"
        case recordedAt = "recorded_at"
        case createdAt = "created_at"
        case failureReason = "failure_reason"
        case isPersonal = "is_personal"
        case workspaceID = "workspace_id"
        case summaryPreview = "summary_preview"
    }

    public init(
        id: String, clientID: String?, ownerID: String, title: String, recordedAt: String?, createdAt: String,
        duration: Double?, status: MeetingStatus, stage: ProcessingStage?, progress: Double, failureReason: String?,
        isPersonal: Bool, workspaceID: String?, sha256: String, size: Int64, speakers: [SpeakerPreview],
        summaryPreview: String?
    ) {
        self.id = id
        self.clientID = clientID
        self.ownerID = ownerID
        self.title = title
        self.recordedAt = recordedAt
        self.createdAt = createdAt
        self.duration = duration
        self.status = status
        self.stage = stage
        self.progress = progress
        self.failureReason = failureReason
        self.isPersonal = isPersonal
        self.workspaceID = workspaceID
        self.sha256 = sha256
        self.size = size
        self.speakers = speakers
        self.summaryPreview = summaryPreview
    }
}

/// One page of a keyset-paginated list; `next_cursor` is null on the last page.
public struct Page<Item: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var items: [Item]
    public var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
