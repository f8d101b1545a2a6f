import ArgumentParser
import Foundation
import Logging
import Metrics
import ParleyEngine
import ParleyServer
import Prometheus
import ParleyQueue
import ParleyStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Parley server: HTTP API, uploads, processing queue.",
        discussion: """
            Everything lives in one data directory (SQLite database + audio). Create an account
            with `parley user add NAME` and a token with `parley token create --user NAME`.
            With --no-local-workers, run `parley worker --server URL --token T` (a token from
            `parley token create --user NAME --role worker`) on the machines that do the model work.
            """
    )

    @OptionGroup var data: DataOptions

    @Option(help: "Address to listen on (env PARLEY_HOST).")
    var host = ProcessInfo.processInfo.environment["PARLEY_HOST"] ?? "127.0.0.1"

    @Option(help: "Port to listen on (env PARLEY_PORT).")
    var port = Int(ProcessInfo.processInfo.environment["PARLEY_PORT"] ?? "") ?? 8080

    @Option(help: "Largest upload in MB (env PARLEY_MAX_UPLOAD_MB).")
    var maxUploadMB = Int64(ProcessInfo.processInfo.environment["PARLEY_MAX_UPLOAD_MB"] ?? "") ?? 2048

    @Option(help: "Requests per second per token; 0 disables (env PARLEY_RATE_LIMIT).")
    var rateLimit = Double(ProcessInfo.processInfo.environment["PARLEY_RATE_LIMIT"] ?? "") ?? 50

    @Option(help: "Close a connection that sends nothing for this many seconds mid-request or between requests (env PARLEY_IDLE_TIMEOUT).")
    var idleTimeout = Double(ProcessInfo.processInfo.environment["PARLEY_IDLE_TIMEOUT"] ?? "") ?? 30

    @Option(help: "Back up to this folder on a schedule (env PARLEY_BACKUP_TO); see `parley backup`.")
    var backupTo: String?

    @Option(help: "How often to back up: 24h, 30m, 2d (env PARLEY_BACKUP_EVERY).")
    var backupEvery = ProcessInfo.processInfo.environment["PARLEY_BACKUP_EVERY"] ?? "24h"

    @Option(help: "Snapshots to keep (env PARLEY_BACKUP_KEEP).")
    var backupKeep = Int(ProcessInfo.processInfo.environment["PARLEY_BACKUP_KEEP"] ?? "") ?? 7

    @Option(help: "Path prefix a reverse proxy serves Parley under, e.g. /parley (env PARLEY_BASE_PATH).")
    var basePath = ProcessInfo.processInfo.environment["PARLEY_BASE_PATH"] ?? ""

    @Flag(
        help: """
            Start no speech engine here: model stages wait for `parley worker` processes, the server \
            only coordinates (env PARLEY_LOCAL_WORKERS=0).
            """)
    var noLocalWorkers = false

    @OptionGroup var model: ModelOptions

    func run() async throws {
        // Everything the server and its children (the engine, ffmpeg) create — audio,
        // decoded PCM, playback copies, the database — is the server user's alone.
        umask(0o077)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var configuration = ServerConfiguration(host: host, port: port, dataDirectory: data.directory)
        configuration.maxUploadBytes = maxUploadMB << 20
        configuration.rateLimitPerSecond = rateLimit
        configuration.rateLimitBurst = max(rateLimit * 4, 1)
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be more than 0 seconds") }
        configuration.idleTimeoutSeconds = idleTimeout
        if noLocalWorkers { configuration.queue.localWorkers = false }
        // A worker's claim is held open with no bytes moving: it must end before the idle
        // timeout closes the connection under it.
        configuration.queue.maxClaimWaitSeconds = min(configuration.queue.maxClaimWaitSeconds, idleTimeout * 0.8)
        do {
            configuration.basePath = try ServerConfiguration.basePath(basePath)
        } catch {
            throw ValidationError("--base-path: \(error)")
        }
        // The environment is read here: an optional @Option cannot also have a default.
        if let backupTo = backupTo ?? ProcessInfo.processInfo.environment["PARLEY_BACKUP_TO"] {
            guard let every = BackupSchedule.seconds(backupEvery), backupKeep > 0 else {
                throw ValidationError("--backup-every takes a duration like 24h, 30m or 2d, and --backup-keep a count over 0")
            }
            configuration.backups = BackupSchedule(folder: URL(fileURLWithPath: backupTo), everySeconds: every, keep: backupKeep)
        }
        let environment = ProcessInfo.processInfo.environment
        configuration.trustedProxies = Set(
            (environment["PARLEY_TRUSTED_PROXIES"] ?? "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if let hours = environment["PARLEY_UPLOAD_EXPIRY_HOURS"].flatMap(Double.init), hours > 0 {
            configuration.uploadExpirySeconds = hours * 3600
        }
        if let megabytes = environment["PARLEY_USER_QUOTA_MB"].flatMap(Int64.init), megabytes > 0 {
            configuration.quota.defaultBytes = megabytes << 20
        }
        if let uploads = environment["PARLEY_MAX_OPEN_UPLOADS"].flatMap(Int.init), uploads > 0 {
            configuration.quota.maxOpenUploads = uploads
        }
        if let url = environment["PARLEY_PUBLIC_URL"], !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil
            else { throw ValidationError("PARLEY_PUBLIC_URL must be an http(s) address, like https://parley.example.com") }
            configuration.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let attempts = environment["PARLEY_WEBHOOK_ATTEMPTS"].flatMap(Int.init), attempts > 0 {
            configuration.webhooks.attempts = attempts
        }
        if let seconds = environment["PARLEY_WEBHOOK_RETRY_SECONDS"].flatMap(Double.init), seconds > 0 {
            configuration.webhooks.retrySeconds = seconds
        }
        if let seconds = environment["PARLEY_WEBHOOK_TIMEOUT_SECONDS"].flatMap(Double.init), seconds > 0 {
            configuration.webhooks.timeoutSeconds = seconds
        }
        if let slots = environment["PARLEY_OPENAI_CONCURRENCY"].flatMap(Int.init), slots > 0 {
            configuration.openAIConcurrency = slots
        }
        if let uploads = environment["PARLEY_MAX_UPLOAD_CONNECTIONS"].flatMap(Int.init), uploads > 0 {
            configuration.uploadConnections.perUser = uploads
        }
        if let streams = environment["PARLEY_MAX_EVENT_STREAMS"].flatMap(Int.init), streams > 0 {
            configuration.eventConnections.perUser = streams
        }
        if let seconds = environment["PARLEY_SSE_HEARTBEAT_SECONDS"].flatMap(Double.init), seconds > 0 {
            configuration.eventHeartbeatSeconds = seconds
        }
        if let idle = environment["PARLEY_SESSION_IDLE_SECONDS"].flatMap(Double.init), idle > 0 {
            configuration.sessionIdleSeconds = idle
        }
        if let longest = environment["PARLEY_SESSION_MAX_SECONDS"].flatMap(Double.init), longest > 0 {
            configuration.sessionMaxSeconds = longest
        }
        configuration.transcription = model.transcriptionOptions
        if let profile = configuration.transcription.profile, !(TranscriptionOptions.profiles + ["auto"]).contains(profile) {
            throw ValidationError(
                "PARLEY_PROFILE is one of \(TranscriptionOptions.profiles.joined(separator: ", ")) or auto, not \(profile)")
        }
        var logger = Logger(label: "parley")
        logger.logLevel = ProcessInfo.processInfo.environment["PARLEY_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        try await ParleyServerApp(configuration: configuration).run(registry: registry, logger: logger)
    }
}

/// `--data DIR` (env PARLEY_DATA), shared by the server's commands.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Server data directory (default: $PARLEY_DATA or $XDG_DATA_HOME/parley-server).")
    var path: String?

    var directory: URL { path.map { URL(fileURLWithPath: $0) } ?? ServerConfiguration.defaultDataDirectory() }
}
