import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the client syncs to and how: `config.json` under the home directory, with the
/// token in its own file readable only by the user.
public struct ClientSettings: Codable, Sendable, Equatable {
    public enum OffloadPolicy: Codable, Sendable, Equatable, CustomStringConvertible {
        case keep
        case afterSync
        case afterDays(Int)

        public init?(_ text: String) {
            switch text {
            case "keep": self = .keep
            case "after-sync": self = .afterSync
            default:
                guard text.hasPrefix("after-days="), let days = Int(text.dropFirst("after-days=".count)), days >= 0 else {
                    return nil
                }
                self = .afterDays(days)
            }
        }

        public var description: String {
            switch self {
            case .keep: "keep"
            case .afterSync: "after-sync"
            case .afterDays(let days): "after-days=\(days)"
            }
        }
    }

    public var server: String?
    public var offload: OffloadPolicy
    public var parallelUploads: Int
    public var chunkBytes: Int

    public init(server: String? = nil, offload: OffloadPolicy = .keep, parallelUploads: Int = 2, chunkBytes: Int = 4 << 20) {
        self.server = server
        self.offload = offload
        self.parallelUploads = parallelUploads
        self.chunkBytes = chunkBytes
    }

    /// The saved settings; `PARLEY_CHUNK_KB` overrides the upload chunk size (tests use
    /// small chunks to exercise resumption).
    public static func load(home: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientSettings {
        let file = home.appendingPathComponent("config.json")
        var settings =
            FileManager.default.fileExists(atPath: file.path)
            ? try JSONDecoder().decode(ClientSettings.self, from: Data(contentsOf: file)) : ClientSettings()
        if let kilobytes = environment["PARLEY_CHUNK_KB"].flatMap(Int.init), kilobytes > 0 { settings.chunkBytes = kilobytes << 10 }
        return settings
    }

    public func save(home: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: home.appendingPathComponent("config.json"), options: .atomic)
    }

    public static func token(home: URL) -> String? {
        (try? String(contentsOf: home.appendingPathComponent("token"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Created with mode 0600 by open(2) itself (Foundation writes the file, then changes
    /// its mode, which leaves a moment when others may read it), then renamed over the old
    /// one, so a crash leaves either the old token or the new one, never half of one.
    public static func saveToken(_ token: String, home: URL) throws {
        let file = home.appendingPathComponent("token")
        let partial = home.appendingPathComponent(".token.\(getpid()).part")
        unlink(partial.path)
        let descriptor = open(partial.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: partial.path]) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(token.utf8))
            try handle.synchronize()
            try handle.close()
            guard rename(partial.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(partial.path)
            throw error
        }
    }
}
