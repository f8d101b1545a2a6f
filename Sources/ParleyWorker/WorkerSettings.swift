import Foundation
import ParleyCore
import ParleyAPI
import ParleyEngine

/// How a `parley worker` runs: where the server is, what it offers, where it caches audio.
public struct WorkerSettings: Sendable {
    public var server: String
    public var token: String
    /// Shown in `GET /api/v1/workers` (the host name by default).
    public var name: String
    /// Unique per process, so two workers on one host are told apart.
    public var workerID: String
    public var stages: [ProcessingStage]
    /// Whisper settings for jobs that ask for no model; `device` and `computeType` also
    /// apply to jobs that do.
    public var transcription: TranscriptionOptions
    /// Extra model names this worker offers → what its engine loads for them (a
    /// faster-whisper name or directory). `large-v3` → `large-v3`, or an alias such as
    /// `accurate` → `/models/large-v3`.
    public var aliases: [String: String]
    public var engine: EngineConfiguration
    public var cacheDirectory: URL
    public var cacheBytes: Int64
    /// How long each claim may wait on the server for a job.
    public var claimWaitSeconds: Double = 25

    public init(
        server: String, token: String, name: String, stages: [ProcessingStage], transcription: TranscriptionOptions,
        aliases: [String: String], engine: EngineConfiguration, cacheDirectory: URL, cacheBytes: Int64
    ) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        self.name = name
        self.workerID = "\(name.prefix(64))-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
            .replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ":", with: "-")
        self.stages = stages
        self.transcription = transcription
        self.aliases = aliases
        self.engine = engine
        self.cacheDirectory = cacheDirectory
        self.cacheBytes = cacheBytes
    }

    /// The default model's name first, then the aliases.
    public var models: [String] {
        [transcription.model ?? "tiny.en"] + aliases.keys.sorted().filter { $0 != (transcription.model ?? "tiny.en") }
    }

    /// What to transcribe a job with: its model (through an alias) or the default.
    func options(for job: WorkerJob) -> TranscriptionOptions {
        var options = transcription
        if let model = job.model, model != (transcription.model ?? "tiny.en") { options.model = aliases[model] ?? model }
        if let language = job.language { options.language = language }
        if let beamSize = job.beamSize, (1...20).contains(beamSize) { options.beamSize = beamSize }
        if let profile = job.profile, TranscriptionOptions.profiles.contains(profile) { options.profile = profile }
        options.vocabulary = job.vocabulary
        if let prompt = job.prompt { options.initialPrompt = prompt }
        return options
    }
}
