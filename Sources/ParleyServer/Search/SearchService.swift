import Foundation
import ParleyAPI
import ParleyStore

/// One search, in the mode asked for: keyword (BM25 over the full-text index), semantic
/// (the query's sentence vector against the lines' vectors) or hybrid (both, fused by
/// reciprocal rank; the default). Hybrid falls back to keywords when the sentence model is
/// not installed; semantic then says so.
struct SearchService: Sendable {
    let repository: SearchRepository
    /// nil on a server that runs no engine (`--no-local-workers`): keyword search only.
    let encoder: QueryEncoder?

    struct Outcome: Sendable {
        var hits: [SearchHit]
        /// The mode that produced the hits (hybrid becomes keyword without the model).
        var mode: SearchRepository.Mode
    }

    func run(_ text: String, mode: SearchRepository.Mode, viewer: Viewer, filters: SearchRepository.Filters) async throws -> Outcome {
        if mode == .keyword { return Outcome(hits: try await repository.search(text, viewer: viewer, filters: filters), mode: .keyword) }
        guard let vector = try await encoder?.vector(for: text) else {
            if mode == .semantic {
                throw APIFailure.busy(
                    retryAfter: 3600,
                    "search by meaning is not available: the sentence model is not installed "
                        + "(engine/install.sh); use mode=keyword")
            }
            return Outcome(hits: try await repository.search(text, viewer: viewer, filters: filters), mode: .keyword)
        }
        if mode == .semantic {
            return Outcome(hits: try await repository.semantic(vector, viewer: viewer, filters: filters), mode: .semantic)
        }
        var wide = filters
        wide.limit = 100
        // Both rankings at once: one waits on SQLite, the other mostly scans vectors in memory.
        async let keyword = repository.search(text, viewer: viewer, filters: wide)
        async let semantic = repository.semantic(vector, viewer: viewer, filters: wide)
        return Outcome(
            hits: SearchRepository.fuse(
                keyword: try await keyword, semantic: try await semantic,
                limit: min(max(filters.limit, 1), 200)),
            mode: .hybrid)
    }
}
