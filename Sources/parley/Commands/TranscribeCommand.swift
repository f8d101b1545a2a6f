import ArgumentParser
import Foundation
import ParleyCore
import ParleyEngine
import ParleyPipeline

struct TranscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe and diarize an audio file locally, with no server."
    )

    @Argument(help: "An audio or video file (wav, flac, mp3, m4a, ogg, opus, webm, mp4, …).")
    var file: String

    @Option(help: "Output format: \(TranscriptFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: TranscriptFormat = .json

    @Option(name: .shortAndLong, help: "Write here instead of stdout.")
    var output: String?

    @OptionGroup var model: ModelOptions

    @Flag(help: "Skip speaker diarization (every segment is Speaker 1).")
    var noDiarize = false

    @Option(help: "Exact number of speakers, when known.")
    var speakers: Int?

    @Option(help: "Fewest speakers to consider.")
    var minSpeakers = 1

    @Option(help: "Most speakers to consider.")
    var maxSpeakers = 8

    func validate() throws {
        if model.profile == "auto" {
            throw ValidationError("--profile auto is for parley serve, which picks by queue length; use accurate, balanced or fast")
        }
        if let speakers, !(1...32).contains(speakers) { throw ValidationError("--speakers must be 1…32") }
        if minSpeakers < 1 || maxSpeakers < minSpeakers { throw ValidationError("need 1 ≤ --min-speakers ≤ --max-speakers") }
    }

    func run() async throws {
        let supervisor = EngineSupervisor(configuration: .fromEnvironment())
        let options = PipelineOptions(
            transcription: model.transcriptionOptions,
            diarization: DiarizationOptions(numSpeakers: speakers, minSpeakers: minSpeakers, maxSpeakers: maxSpeakers),
            diarize: !noDiarize)
        let bar = ProgressBar()
        let transcript: Transcript
        do {
            transcript = try await TranscriptionPipeline(engine: supervisor, options: options).run(file: file) { update in
                bar.update(label: update.stage.rawValue, fraction: update.overall)
            }
            bar.finish()
            await supervisor.shutdown()
        } catch let error as EngineError {
            bar.finish()
            await supervisor.shutdown()
            throw CommandFailure(message: error.description)
        }
        let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let text = try format.render(transcript, recordingName: name)
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

extension TranscriptFormat: ExpressibleByArgument {}
