import Foundation
import ParleyEngine

/// Turns search queries into sentence vectors in an engine process of its own: the model
/// engine may be busy with an hour of transcription, and a search must not wait behind it.
/// It loads only the small sentence model (~130 MB), answers in ~15 ms once warm, and exits
/// after ten idle minutes like the model engine does after its TTL.
actor QueryEncoder {
    private let engine: EngineSupervisor
    private var unavailable: String?

    init(configuration: EngineConfiguration) {
        var configuration = configuration
        configuration.idleTTL = .seconds(600)
        configuration.jobTimeout = .seconds(30)
        configuration.niceness = 0  // someone is waiting for this
        configuration.memoryLimitBytes = 1 << 30
        engine = EngineSupervisor(configuration: configuration)
    }

    /// The query's vector; nil when the sentence model is not installed (remembered, so a
    /// search without it is not slowed by a failing engine call each time).
    func vector(for text: String) async throws -> [Float]? {
        if unavailable != nil { return nil }
        do {
            return try await engine.embed([text]).vectors.first
        } catch EngineError.rejected(let code, let message, _) where code == "model_unavailable" {
            unavailable = message
            return nil
        } catch EngineError.notInstalled(let fix) {
            unavailable = fix
            return nil
        }
    }

    func shutdown() async {
        await engine.shutdown()
    }
}
