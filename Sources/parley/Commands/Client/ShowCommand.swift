import ArgumentParser
import Foundation
import ParleyCore
import ParleySync
import ParleyAPI

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a meeting's transcript with speakers (cached locally for offline reading).")

    @OptionGroup var home: HomeOptions
    @Argument(help: "Recording id (or a prefix), or a server meeting id.") var id: String
    @Option(help: "Format: txt, json, srt, vtt, rttm.") var format: TranscriptFormat = .txt

    func run() async throws {
        let library = try home.library()
        var transcript: Transcript?
        var name = id
        if let recording = try? await library.find(id) {
            name = recording.title
            transcript = try recording.transcriptJson.map { try JSONDecoder().decode(Transcript.self, from: Data($0.utf8)) }
            if transcript == nil, recording.status != .synced {
                throw CommandFailure(message: "\(recording.title) is \(recording.status.rawValue); no transcript yet")
            }
        }
        if transcript == nil {
            let client = try home.client()
            let detail = try await client.meeting(id: (try? await library.find(id))?.serverId ?? id)
            name = detail.meeting.title
            transcript = detail.transcript
        }
        guard let transcript else { throw CommandFailure(message: "\(name) has no transcript yet") }
        print(try format.render(transcript, recordingName: name), terminator: "")
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "A recording's status and its history.")

    @OptionGroup var home: HomeOptions
    @Argument(help: "Recording id (or a prefix).") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let library = try home.library()
        let recording: RecordingRecord
        do {
            recording = try await library.find(id)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        let history = try await library.history(recording.id)
        if json {
            struct Output: Encodable { var recording: RecordingRecord; var history: [StatusChange] }
            return try printJSON(Output(recording: recording, history: history))
        }
        print("\(recording.title) [\(recording.id)]")
        print(
            "status: \(recording.status.rawValue)" + (recording.failureReason.map { " — \($0)" } ?? "")
                + (recording.status == .failed ? (recording.retryable ? " (will retry)" : " (will not retry)") : ""))
        if recording.status == .uploading { print("uploaded: \(recording.uploadedBytes) of \(recording.size) bytes") }
        if let server = recording.serverId { print("server meeting: \(server)" + (recording.serverStage.map { " (\($0))" } ?? "")) }
        for change in history {
            let when = Date(timeIntervalSince1970: change.at).formatted(.iso8601)
            print("  \(when)  \(change.fromStatus?.rawValue ?? "—") → \(change.toStatus.rawValue)  \(change.reason ?? "")")
        }
    }
}

struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Bytes kept locally vs offloaded to the server.")

    @OptionGroup var home: HomeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let recordings = try await home.library().all()
        let local = recordings.filter { $0.localPath != nil }.reduce(Int64(0)) { $0 + $1.size }
        let offloaded = recordings.filter { $0.localPath == nil }
        let offloadedBytes = offloaded.reduce(Int64(0)) { $0 + $1.size }
        // The library hard-links imports, so offloading frees the disk only once the
        // imported original is gone too: say how much of it is still there.
        let originals = offloaded.filter { FileManager.default.fileExists(atPath: $0.sourcePath) }.reduce(Int64(0)) { $0 + $1.size }
        let policy = try home.settings().offload.description
        if json {
            struct Output: Encodable {
                var localBytes: Int64, offloadedBytes: Int64, originalsStillOnDiskBytes: Int64, policy: String
                enum CodingKeys: String, CodingKey {
                    case policy
                    case localBytes = "local_bytes"
                    case offloadedBytes = "offloaded_bytes"
                    case originalsStillOnDiskBytes = "originals_still_on_disk_bytes"
                }
            }
            return try printJSON(
                Output(localBytes: local, offloadedBytes: offloadedBytes, originalsStillOnDiskBytes: originals, policy: policy))
        }
        let total = max(local + offloadedBytes, 1)
        print(
            "local: \(local) bytes · offloaded: \(offloadedBytes) bytes (\(offloadedBytes * 100 / total)% of the library) · policy: \(policy)"
        )
        if originals > 0 { print("\(originals) bytes of offloaded recordings are still on disk where they were imported from") }
    }
}
