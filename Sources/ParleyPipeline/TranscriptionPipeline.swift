import Foundation
import ParleyCore
import ParleyEngine

/// decode → transcribe → diarize → attribute for one local file, all model work in the
/// supervised engine process.
public struct TranscriptionPipeline: Sendable {
    public let engine: EngineSupervisor
    public let options: PipelineOptions

    public init(engine: EngineSupervisor, options: PipelineOptions = .init()) {
        self.engine = engine
        self.options = options
    }

    public func run(file: String, progress: PipelineProgressHandler? = nil) async throws -> Transcript {
        let stages: [PipelineStage] =
            options.diarize
            ? [.decode, .transcribe, .diarize, .attribute] : [.decode, .transcribe, .attribute]
        let report = ProgressReporter(stages: stages, handler: progress)
        let workspace = FileManager.default.temporaryDirectory
            .appendingPathComponent("parley-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }

        // Decode once: both models read the same 16 kHz mono PCM.
        report(.decode, 0)
        let pcm = workspace.appendingPathComponent("audio.wav").path
        _ = try await engine.decode(input: file, output: pcm)
        report(.decode, 1)

        // The engine also reports its own decoding of the PCM; only the model's progress counts.
        let recognition = try await engine.transcribe(audio: pcm, options: options.transcription) { update in
            if update.stage == PipelineStage.transcribe.rawValue { report(.transcribe, update.fraction) }
        }
        report(.transcribe, 1)

        var diarization: Diarization?
        if options.diarize {
            diarization = try await engine.diarize(audio: pcm, options: options.diarization) { update in
                if update.stage == PipelineStage.diarize.rawValue { report(.diarize, update.fraction) }
            }
            report(.diarize, 1)
        }

        let transcript = Transcript(recognition: recognition, diarization: diarization)
        report(.attribute, 1)
        return transcript
    }
}

/// Turns per-stage fractions into overall progress.
struct ProgressReporter: Sendable {
    let stages: [PipelineStage]
    let handler: PipelineProgressHandler?

    func callAsFunction(_ stage: PipelineStage, _ fraction: Double) {
        guard let handler else { return }
        let total = stages.map(\.weight).reduce(0, +)
        let done = stages.prefix { $0 != stage }.map(\.weight).reduce(0, +)
        handler(PipelineProgress(stage: stage, fraction: fraction, overall: (done + stage.weight * fraction) / total))
    }
}
