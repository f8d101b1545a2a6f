import Foundation
import ParleyAPI
import ParleyCore
import ParleyServer
import ParleySync

/// What `parley agent --ui` shows: the same merge as `parley ls` (local library + the
/// server's list), as cards for the server's dashboard template.
struct AgentListing: Sendable {
    let library: Library
    let client: ServerClient?
    let serverURL: String?

    func current() async -> LocalDashboardServer.Listing {
        let recordings: [RecordingRecord]
        do {
            recordings = try await library.all()
        } catch {
            return .init(cards: [], notice: "The local library could not be read: \(error)")
        }
        var server: [MeetingSummary] = []
        var notice: String?
        if let client {
            do {
                server = try await ListCommand.serverMeetings(client)
            } catch {
                // Still useful offline: the local cards, and why the server's are missing.
                notice = "The server is not reachable (\(error)); showing this computer's library only."
            }
        } else {
            notice = "Not logged in to a server (parley login); showing this computer's library only."
        }
        // Offline, the merge sees no server list and would call every recording local only;
        // the library's own record (a server id, an offloaded file) is the last known truth.
        let lastKnown = notice == nil ? [:] : Dictionary(recordings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let cards = ListCommand.merge(recordings, server).map { card($0, lastKnown: lastKnown[$0.id]) }
        return .init(cards: cards, notice: notice)
    }

    func card(_ entry: ListCommand.Entry, lastKnown recording: RecordingRecord? = nil) -> LocalCard {
        var origin: LocalCard.Origin =
            switch entry.location.trimmingCharacters(in: .whitespaces) {
            case "🏠": .local
            case "☁️": .server
            default: .both
            }
        if let recording, recording.serverId != nil, [.processing, .synced].contains(recording.status) {
            origin = recording.localPath == nil ? .server : .both
        }
        // Local-only meetings have no server page; a server id alone may be stale (deleted).
        let link = origin == .local ? nil : entry.serverId.flatMap { id in serverURL.map { "\($0)/meetings/\(id)" } }
        return LocalCard(
            id: entry.id, title: entry.title, origin: origin, status: entry.status,
            stage: entry.stage.flatMap(ProcessingStage.init(rawValue:)), progress: entry.progress,
            duration: entry.duration, failureReason: entry.failureReason, serverURL: link)
    }
}
