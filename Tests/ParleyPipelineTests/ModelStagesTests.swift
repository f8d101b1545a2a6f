import Foundation
import ParleyCore
import ParleyEngine
import ParleyPipeline
import Testing

/// The model stages against a fake engine: the seam `SpeechEngine` exists so that this
/// runs in milliseconds, without Python.
@Suite struct ModelStagesTests {
    actor FakeEngine: SpeechEngine {
        var decodes = 0
        var models: [String?] = []

        func decode(input: String, output: String, maxSeconds: Double?) async throws -> DecodedAudio {
            decodes += 1
            FileManager.default.createFile(atPath: output, contents: Data("pcm".utf8))
            return DecodedAudio(duration: 2, codec: "pcm_s16le", sampleRate: 16000, channels: 1)
        }

        func transcribe(audio path: String, options: TranscriptionOptions, progress: EngineProgressHandler?) async throws
            -> RecognitionResult
        {
            models.append(options.model)
            progress?(EngineProgress(stage: "decode", fraction: 1))
            progress?(EngineProgress(stage: "transcribe", fraction: 0.5))
            return RecognitionResult(duration: 2, language: "en", model: options.model ?? "tiny.en", segments: [])
        }

        func diarize(audio path: String, options: DiarizationOptions, progress: EngineProgressHandler?) async throws
            -> Diarization
        {
            progress?(EngineProgress(stage: "diarize", fraction: 1))
            return Diarization(duration: 2, turns: [], speakers: [])
        }

        func summarize(segments: [TranscriptionSegment], maxSentences: Int, progress: EngineProgressHandler?) async throws
            -> MeetingInsights
        {
            throw EngineError.cancelled
        }

        func embed(_ texts: [String]) async throws -> TextEmbeddings { TextEmbeddings(model: "none", vectors: []) }
    }

    final class Fractions: @unchecked Sendable {
        var values: [Double] = []
    }

    @Test func bothStagesDecodeOnceAndReportOnlyTheModelPhase() async throws {
        let engine = FakeEngine()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = directory.appendingPathComponent("in.wav")
        let pcm = directory.appendingPathComponent("pcm.wav")
        let fractions = Fractions()
        var options = TranscriptionOptions()
        options.model = "big"
        let recognition = try await ModelStages.transcribe(
            engine: engine, original: original, pcm: pcm, options: options
        ) { fractions.values.append($0) }
        _ = try await ModelStages.diarize(engine: engine, original: original, pcm: pcm) { fractions.values.append($0) }
        #expect(recognition.model == "big")
        #expect(await engine.decodes == 1)
        #expect(await engine.models == ["big"])
        #expect(fractions.values == [0.5, 1])
    }
}
