import ParleyCore

/// A change in a meeting's processing, for live progress (Server-Sent Events).
public struct ProcessingEvent: Codable, Sendable, Equatable {
    public var meetingID: String
    public var ownerID: String
    public var workspaceID: String?
    public var isPersonal: Bool
    public var status: MeetingStatus
    public var stage: ProcessingStage?
    public var progress: Double
    public var failureReason: String?

    enum CodingKeys: String, CodingKey {
        case status, stage, progress
        case meetingID = "meeting_id"
        case ownerID = "owner_id"
        case workspaceID = "workspace_id"
        case isPersonal = "is_personal"
        case failureReason = "failure_reason"
    }

    public init(
        meetingID: String, ownerID: String, workspaceID: String?, isPersonal: Bool, status: MeetingStatus,
        stage: ProcessingStage?, progress: Double, failureReason: String?
    ) {
        self.meetingID = meetingID
        self.ownerID = ownerID
        self.workspaceID = workspaceID
        self.isPersonal = isPersonal
        self.status = status
        self.stage = stage
        self.progress = progress
        self.failureReason = failureReason
    }
}
