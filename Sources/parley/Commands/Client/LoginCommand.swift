import ArgumentParser
import Foundation
import ParleySync

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Connect this machine to a Parley server.")

    @OptionGroup var home: HomeOptions
    @Option(help: "Server URL, e.g. http://127.0.0.1:8080") var server: String
    @Option(help: "API token (from `parley user add` / `parley token create` on the server).") var token: String
    @Option(help: "Offload policy: keep, after-sync, after-days=N.") var offload: String?

    func run() async throws {
        _ = try home.library()
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw CommandFailure(message: "--server must be an http(s) URL")
        }
        let client = ServerClient(baseURL: server, token: token)
        do {
            _ = try await client.summaries(limit: 1)
        } catch {
            throw CommandFailure(message: "login failed: \(error)")
        }
        var settings = try home.settings()
        settings.server = server
        if let offload {
            guard let policy = ClientSettings.OffloadPolicy(offload) else {
                throw CommandFailure(message: "--offload must be keep, after-sync or after-days=N")
            }
            settings.offload = policy
        }
        try settings.save(home: home.directory)
        try ClientSettings.saveToken(token, home: home.directory)
        print("logged in to \(server)")
    }
}
