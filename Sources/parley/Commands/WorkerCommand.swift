import ArgumentParser
import Foundation
import Logging
import ParleyCore
import ParleyEngine
import ParleyWorker
import ServiceLifecycle
import UnixSignals

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run model jobs (transcribe, diarize) for a Parley server on this machine.",
        discussion: """
            Claims jobs over HTTP, downloads the audio it needs (checked against its SHA-256,
            cached by hash), runs them in a supervised engine on this machine and posts the
            results. Make the token on the server with
            `parley token create --user NAME --role worker`. SIGTERM gives the running job
            back to the queue and exits.
            """
    )

    @Option(help: "The server's URL, e.g. https://parley.example.org (env PARLEY_SERVER).")
    var server = ProcessInfo.processInfo.environment["PARLEY_SERVER"] ?? ""

    @Option(help: "A worker token (env PARLEY_WORKER_TOKEN).")
    var token = ProcessInfo.processInfo.environment["PARLEY_WORKER_TOKEN"] ?? ""

    @Option(help: "A name shown in the server's worker list (default: the host name).")
    var name = ProcessInfo.processInfo.hostName

    @Option(help: "Stages to run, comma-separated.")
    var stages = "transcribe,diarize"

    @Option(
        name: .customLong("offer"),
        help: ArgumentHelp(
            "Offer another model: NAME (a faster-whisper name) or NAME=MODEL (a name for a model name or directory). Repeatable.",
            valueName: "name[=model]"))
    var offers: [String] = []

    @Option(help: "Audio cache folder (default: $XDG_CACHE_HOME/parley-worker).")
    var cacheDir: String?

    @Option(help: "Audio cache size in MB; the least recently used files go first.")
    var cacheMb: Int64 = 2048

    @Option(help: "Seconds a claim waits on the server for a job before asking again.")
    var claimWait: Double = 25

    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard server.hasPrefix("http://") || server.hasPrefix("https://") else {
            throw ValidationError("--server must be an http:// or https:// URL")
        }
        guard token.hasPrefix("prl_") else { throw ValidationError("--token must be a Parley token (prl_…)") }
        guard cacheMb > 0, claimWait > 0 else { throw ValidationError("--cache-mb and --claim-wait must be more than 0") }
    }

    func run() async throws {
        var parsed: [ProcessingStage] = []
        for text in stages.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let stage = ProcessingStage(rawValue: text), stage.runsOnWorkers else {
                throw ValidationError("--stages takes \(ProcessingStage.allCases.filter(\.runsOnWorkers).map(\.rawValue))")
            }
            parsed.append(stage)
        }
        var aliases: [String: String] = [:]
        for offer in offers {
            let parts = offer.split(separator: "=", maxSplits: 1).map(String.init)
            guard let first = parts.first, !first.isEmpty else { throw ValidationError("--offer takes NAME or NAME=MODEL") }
            aliases[first] = parts.count == 2 ? parts[1] : first
        }
        let environment = ProcessInfo.processInfo.environment
        let cache =
            cacheDir.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache"))
            .appendingPathComponent("parley-worker")
        var settings = WorkerSettings(
            server: server, token: token, name: name, stages: parsed, transcription: model.transcriptionOptions,
            aliases: aliases, engine: .fromEnvironment(), cacheDirectory: cache, cacheBytes: cacheMb << 20)
        settings.claimWaitSeconds = claimWait
        var logger = Logger(label: "parley-worker")
        logger.logLevel = environment["PARLEY_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let worker = RemoteWorker(settings: settings, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let rejected as RemoteWorker.Rejected {
            throw CommandFailure(message: rejected.description)
        }
    }
}
