import ParleyCore

/// A change in a meeting's processing, for live progress (Server-Sent Events).
public struct ProcessingEvent: Codable, Sendable, Equatable {
    public var meetingId: String
    public var ownerId: String
    public var workspaceId: String?
    public var isPersonal: Bool
    public var status: MeetingStatus
    public var stage: ProcessingStage?
    public var progress: Double
    public var failureReason: String?

    public init(
        meetingId: String, ownerId: String, workspaceId: String?, isPersonal: Bool, status: MeetingStatus,
        stage: ProcessingStage?, progress: Double, failureReason: String?
    ) {
        self.meetingId = meetingId
        self.ownerId = ownerId
        self.workspaceId = workspaceId
        self.isPersonal = isPersonal
        self.status = status
        self.stage = stage
        self.progress = progress
        self.failureReason = failureReason
    }
}
