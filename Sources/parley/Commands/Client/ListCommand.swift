import ArgumentParser
import Foundation
import ParleyAPI
import ParleyCore
import ParleySync

/// The unified view: local recordings and server meetings merged into one list.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List local and server meetings together (🏠 local only, ☁️ server only, 🏠☁️ both).")

    @OptionGroup var home: HomeOptions
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Only the local library (no server request).") var local = false

    struct Entry: Encodable {
        var id: String
        var serverId: String?
        var title: String
        var location: String
        var status: MeetingStatus
        var stage: String?
        var progress: Double
        var duration: Double?
        var failureReason: String?
        var retryable: Bool?

        enum CodingKeys: String, CodingKey {
            case id, title, location, status, stage, progress, duration, retryable
            case serverId = "server_id"
            case failureReason = "failure_reason"
        }
    }

    func run() async throws {
        let recordings = try await home.library().all()
        var server: [MeetingSummary] = []
        var serverNote: String?
        if !local, let client = try? home.client() {
            do {
                server = try await Self.serverMeetings(client)
            } catch {
                serverNote = "server not reachable (\(error)); showing the local library"
            }
        }
        let entries = Self.merge(recordings, server)
        if json { return try printJSON(entries) }
        if let serverNote { FileHandle.standardError.write(Data("\(serverNote)\n".utf8)) }
        for entry in entries {
            let progress = entry.status == .processing ? " \(Int(entry.progress * 100))%" : ""
            let stage = entry.stage.map { " (\($0))" } ?? ""
            let reason = entry.failureReason.map { " — \($0)\(entry.retryable == true ? ", will retry" : "")" } ?? ""
            print("\(entry.location) \(entry.id.prefix(8))  \(entry.status.rawValue)\(stage)\(progress)  \(entry.title)\(reason)")
        }
    }

    /// Every meeting the account holds on the server, all pages.
    static func serverMeetings(_ client: ServerClient) async throws -> [MeetingSummary] {
        var server: [MeetingSummary] = []
        var cursor: String?
        repeat {
            let page = try await client.summaries(limit: 200, cursor: cursor)
            server += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return server
    }

    static func merge(_ recordings: [RecordingRecord], _ server: [MeetingSummary]) -> [Entry] {
        var remaining = Dictionary(server.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var entries = recordings.map { recording -> Entry in
            let match =
                recording.serverId.flatMap { remaining[$0] }
                ?? server.first { $0.clientID == recording.id || $0.sha256 == recording.sha256 }
            if let match { remaining.removeValue(forKey: match.id) }
            let location = match == nil ? "🏠  " : recording.localPath == nil ? "☁️  " : "🏠☁️"
            return Entry(
                id: recording.id, serverId: match?.id ?? recording.serverId, title: recording.title, location: location,
                status: recording.status, stage: match?.stage?.rawValue ?? recording.serverStage,
                progress: match?.progress ?? recording.serverProgress, duration: recording.duration ?? match?.duration,
                failureReason: recording.failureReason, retryable: recording.status == .failed ? recording.retryable : nil)
        }
        entries += server.filter { remaining[$0.id] != nil }.map { meeting in
            Entry(
                id: meeting.id, serverId: meeting.id, title: meeting.title, location: "☁️  ", status: meeting.status,
                stage: meeting.stage?.rawValue, progress: meeting.progress, duration: meeting.duration,
                failureReason: meeting.failureReason, retryable: nil)
        }
        return entries
    }
}
