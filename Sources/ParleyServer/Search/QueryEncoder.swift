import Foundation
import ParleyEngine

/// Turns search queries into sentence vectors in an engine process of its own: the model
/// engine may be busy with an hour of transcription, and a search must not wait behind it.
/// It loads only the small sentence model (~130 MB), answers in ~15 ms once warm, and exits
/// after ten idle minutes like the model engine does after its TTL.
actor QueryEncoder {
    private let engine: EngineSupervisor
    private var unavailable: String?
    /// The last few queries' vectors: a repeated search (paging, a second mode, a page
    /// reload) skips the engine round trip. 64 × 384 floats ≈ 100 KB.
    private var recent: [String: [Float]] = [:]
    private var order: [String] = []
    private let capacity = 64

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
        if let known = recent[text] {
            order.removeAll { $0 == text }
            order.append(text)
            return known
        }
        guard let vector = try await vectors(for: [text])?.first else { return nil }
        if recent.updateValue(vector, forKey: text) == nil { order.append(text) }
        if order.count > capacity { recent[order.removeFirst()] = nil }
        return vector
    }

    /// Vectors for a few texts (corrected lines), in order; nil when the model is missing.
    func vectors(for texts: [String]) async throws -> [[Float]]? {
        if unavailable != nil || texts.isEmpty { return texts.isEmpty ? [] : nil }
        do {
            return try await engine.embed(texts).vectors
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
