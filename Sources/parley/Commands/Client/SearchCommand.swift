import ArgumentParser
import Foundation
import ParleyAPI
import ParleyCore
import ParleySync

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search transcripts: the local cache first, then the server for the rest.")

    @OptionGroup var home: HomeOptions
    @Argument(help: "Words to find.") var query: [String]
    @Option(help: "Only this speaker (name or id).") var speaker: String?
    @Option(help: "On the server: keyword (exact words), semantic (by meaning) or hybrid (both).")
    var mode: SearchMode = .hybrid

    enum SearchMode: String, ExpressibleByArgument, CaseIterable {
        case keyword, semantic, hybrid
    }
    @Flag(help: "Print JSON.") var json = false

    struct Output: Encodable {
        var local: [Library.LocalHit]
        var server: [SearchHit]
        var serverError: String?

        enum CodingKeys: String, CodingKey {
            case local, server
            case serverError = "server_error"
        }
    }

    func run() async throws {
        let text = query.joined(separator: " ")
        let local = try await home.library().searchCached(text, speaker: speaker)
        var output = Output(local: local, server: [])
        if let client = try? home.client() {
            do {
                let cached = Set(local.compactMap(\.serverId))
                output.server = try await client.search(text, speaker: speaker, mode: mode.rawValue)
                    .filter { !cached.contains($0.meetingId) }
            } catch {
                output.serverError = "\(error)"
            }
        }
        if json { return try printJSON(output) }
        for hit in output.local {
            print("🏠 \(hit.title) [\(Timecode.clock(hit.start))] \(hit.speaker): \(hit.text)")
        }
        for hit in output.server {
            let snippet = hit.snippet.replacingOccurrences(of: "<mark>", with: "«").replacingOccurrences(of: "</mark>", with: "»")
            print("☁️ \(hit.meetingTitle) [\(Timecode.clock(hit.start))] \(hit.speakerName): \(snippet)")
        }
        if let error = output.serverError { FileHandle.standardError.write(Data("server search failed: \(error)\n".utf8)) }
        if output.local.isEmpty && output.server.isEmpty { print("no matches") }
    }
}
