import ParleyCore

/// One entry of the agent's merged list (`parley agent --ui`), as the client knows it.
/// A plain value so the client need not know the server's view types: the renderer turns
/// it into the same `MeetingCard` the server's dashboard uses.
public struct LocalCard: Sendable, Equatable {
    /// Where the meeting lives: only in the local library, only on the server, or both.
    public enum Origin: String, Sendable {
        case local, server, both

        var marker: String {
            switch self {
            case .local: "🏠"
            case .server: "☁️"
            case .both: "🏠☁️"
            }
        }

        var label: String {
            switch self {
            case .local: "Only on this computer"
            case .server: "Only on the server"
            case .both: "On this computer and the server"
            }
        }
    }

    public var id: String
    public var title: String
    public var origin: Origin
    public var status: MeetingStatus
    public var stage: ProcessingStage?
    public var progress: Double
    public var duration: Double?
    public var failureReason: String?
    /// The server's meeting page, when the server has the meeting (and we know its address).
    public var serverURL: String?

    public init(
        id: String, title: String, origin: Origin, status: MeetingStatus, stage: ProcessingStage? = nil,
        progress: Double = 0, duration: Double? = nil, failureReason: String? = nil, serverURL: String? = nil
    ) {
        self.id = id
        self.title = title
        self.origin = origin
        self.status = status
        self.stage = stage
        self.progress = progress
        self.duration = duration
        self.failureReason = failureReason
        self.serverURL = serverURL
    }
}
