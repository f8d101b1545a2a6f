import Foundation
import ParleyAPI
import NIOHTTP1

extension ServerClient {
    /// One server search hit (the server's `/api/v1/search` row).
    public struct SearchHit: Codable, Sendable, Equatable {
        public var meetingId: String
        public var meetingTitle: String
        public var kind: String
        public var start: Double
        public var speakerName: String
        public var snippet: String

        enum CodingKeys: String, CodingKey {
            case kind, start, snippet
            case meetingId = "meeting_id"
            case meetingTitle = "meeting_title"
            case speakerName = "speaker_name"
        }
    }

    struct SearchResults: Decodable {
        var hits: [SearchHit]
    }

    /// `mode`: keyword, semantic (by meaning) or hybrid (both, the server's default).
    public func search(_ query: String, speaker: String? = nil, mode: String = "hybrid", limit: Int = 50) async throws -> [SearchHit] {
        var path = "/api/v1/search?q=\(Self.escape(query))&limit=\(limit)&mode=\(Self.escape(mode))"
        if let speaker { path += "&speaker=\(Self.escape(speaker))" }
        return try decode(SearchResults.self, from: try await send(.GET, path)).hits
    }
}
