/// Personal meetings are their owner's alone; workspace meetings are seen by its members.
public enum MeetingScope: String, Codable, Sendable, CaseIterable {
    case personal, workspace, all
}
