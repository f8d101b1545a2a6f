import Foundation
import ParleyAPI
import NIOHTTP1

extension ServerClient {
    /// `mode`: keyword, semantic (by meaning) or hybrid (both, the server's default).
    public func search(_ query: String, speaker: String? = nil, mode: String = "hybrid", limit: Int = 50) async throws -> [SearchHit] {
        var path = "/api/v1/search?q=\(Self.escape(query))&limit=\(limit)&mode=\(Self.escape(mode))"
        if let speaker { path += "&speaker=\(Self.escape(speaker))" }
        return try decode(SearchResults.self, from: try await send(.GET, path)).hits
    }
}
