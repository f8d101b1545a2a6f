import ArgumentParser
import Foundation
import ParleySync

/// `--home DIR` (env PARLEY_HOME): where the client keeps its library, config and token.
struct HomeOptions: ParsableArguments {
    @Option(name: .customLong("home"), help: "Client home (default: $PARLEY_HOME or $XDG_DATA_HOME/parley).")
    var path: String?

    var directory: URL { path.map { URL(fileURLWithPath: $0) } ?? Library.defaultHome() }

    func library() throws -> Library {
        do {
            return try Library(home: directory)
        } catch {
            throw CommandFailure(message: "cannot open the library in \(directory.path): \(error)")
        }
    }

    func settings() throws -> ClientSettings {
        try ClientSettings.load(home: directory)
    }

    /// A client for the configured server, or a clear "log in first".
    func client() throws -> ServerClient {
        let settings = try settings()
        guard let server = settings.server, let token = ClientSettings.token(home: directory) else {
            throw CommandFailure(message: ServerError.notLoggedIn.description)
        }
        return ServerClient(baseURL: server, token: token)
    }
}

/// Prints `value` as JSON for scripts.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
