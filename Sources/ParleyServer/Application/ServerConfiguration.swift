import Foundation
import ParleyEngine
import ParleyQueue
import ParleyStore

/// Everything `parley serve` can be told, with embedded defaults: one data directory
/// holding the SQLite database and the audio, the bundled model, loopback only.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: URL
    /// Largest upload accepted (`Tus-Max-Size`), in bytes.
    public var maxUploadBytes: Int64
    /// Requests per second per token, and the burst a client may spend at once.
    public var rateLimitPerSecond: Double
    public var rateLimitBurst: Double
    /// Abandoned uploads are removed after this many seconds.
    public var uploadExpirySeconds: Double
    /// A connection that sends nothing for this long while its request is being read (a
    /// half-sent request line or header, a stalled upload body), or that sits idle between
    /// requests, is closed. A response being written (a download, an SSE stream) is not cut.
    public var idleTimeoutSeconds: Double = 30
    /// OpenAI-compatible transcription requests in flight at once (each waits for its
    /// transcript); more get 503 + Retry-After.
    public var openAIConcurrency = 4
    /// Upload bodies being received at once, per user and in total.
    public var uploadConnections = (perUser: 8, total: 64)
    /// Live-progress (SSE) streams open at once, per user and in total; each is sent a
    /// comment every `eventHeartbeatSeconds` (which also finds clients that left) and
    /// ended after `eventStreamMaxSeconds` (browsers reconnect by themselves).
    public var eventConnections = (perUser: 10, total: 256)
    public var eventHeartbeatSeconds: Double = 15
    public var eventStreamMaxSeconds: Double = 3600
    /// Scheduled backups (`--backup-to`); nil = none.
    public var backups: BackupSchedule?
    /// Per-user storage quota (default: unlimited) and cap on unfinished uploads.
    public var quota = StorageQuota()
    /// Reverse proxies whose `X-Forwarded-For` names the client (exact peer IPs).
    public var trustedProxies: Set<String> = []
    /// The path a reverse proxy serves Parley under ("/parley"), which it strips before
    /// passing requests on; every link, redirect, script URL and tus `Location` Parley
    /// writes starts with it. "" = served at the root.
    public var basePath = ""
    /// Where browsers reach this server ("https://example.com/parley"), for absolute links
    /// in webhook bodies; nil = links are paths.
    public var publicURL: String?
    public var webhooks = WebhookSettings()
    /// Failed authentications allowed per client address: a burst, then one per 6 s.
    public var authFailureBurst: Double = 10
    public var authFailuresPerSecond: Double = 1.0 / 6
    /// A web session ends after this long unused, or this long after sign-in.
    public var sessionIdleSeconds: Double = 7 * 86_400
    public var sessionMaxSeconds: Double = 30 * 86_400
    public var queue: QueueConfiguration
    public var engine: EngineConfiguration
    public var transcription: TranscriptionOptions
    /// An OpenAI-compatible chat model for summaries; nil = offline summaries only.
    public var llm: LLMSummarizer.Configuration? = .fromEnvironment()

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = ServerConfiguration.defaultDataDirectory(),
        maxUploadBytes: Int64 = 2 << 30, rateLimitPerSecond: Double = 50, rateLimitBurst: Double = 200,
        uploadExpirySeconds: Double = 7 * 86_400, queue: QueueConfiguration = .fromEnvironment(),
        engine: EngineConfiguration = ServerConfiguration.serverEngine(), transcription: TranscriptionOptions = .init()
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.maxUploadBytes = maxUploadBytes
        self.rateLimitPerSecond = rateLimitPerSecond
        self.rateLimitBurst = rateLimitBurst
        self.uploadExpirySeconds = uploadExpirySeconds
        self.queue = queue
        self.engine = engine
        self.transcription = transcription
    }

    /// A `--base-path` as given ("/parley/", "parley", "/") in the form URLs are built with:
    /// a leading slash, no trailing one, "" for the root. Only characters that need no
    /// escaping in a URL path, so the prefix can go into HTML, headers and scripts as is.
    public static func basePath(_ text: String) throws -> String {
        let segments = text.split(separator: "/")
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        for segment in segments where segment == "." || segment == ".." || !segment.allSatisfy(allowed.contains) {
            throw ServerConfigurationError(message: "the base path \"\(text)\" may use only letters, digits and - . _ ~ between slashes")
        }
        return segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
    }

    /// `$PARLEY_DATA`, else `$XDG_DATA_HOME/parley-server`, else `~/.local/share/parley-server`.
    public static func defaultDataDirectory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let data = environment["PARLEY_DATA"], !data.isEmpty { return URL(fileURLWithPath: data) }
        let base =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
        return base.appendingPathComponent("parley-server")
    }

    /// The engine as a server runs it: niced (unless `PARLEY_ENGINE_NICE` says otherwise).
    public static func serverEngine(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> EngineConfiguration {
        var engine = EngineConfiguration.fromEnvironment(environment)
        if environment["PARLEY_ENGINE_NICE"] == nil { engine.niceness = 10 }
        return engine
    }

    public var databasePath: String { DataLayout(root: dataDirectory).database.path }
}

/// Where and how often the server backs itself up, and how many snapshots it keeps.
public struct BackupSchedule: Sendable, Equatable {
    public var folder: URL
    public var everySeconds: Double
    public var keep: Int

    public init(folder: URL, everySeconds: Double, keep: Int) {
        self.folder = folder
        self.everySeconds = everySeconds
        self.keep = keep
    }

    /// "24h", "30m", "90s", "2d" or plain seconds.
    public static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value > 0 { return value * factor }
        return Double(text).flatMap { $0 > 0 ? $0 : nil }
    }
}

/// A configuration value that cannot work, named in one line.
public struct ServerConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
