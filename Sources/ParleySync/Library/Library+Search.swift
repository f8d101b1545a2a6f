import Foundation
import ParleyCore

extension Library {
    /// A hit in the local cache of transcripts (works offline).
    public struct LocalHit: Sendable, Equatable, Encodable {
        public var recordingId: String
        public var serverId: String?
        public var title: String
        public var start: Double
        public var speaker: String
        public var text: String

        enum CodingKeys: String, CodingKey {
            case title, start, speaker, text
            case recordingId = "recording_id"
            case serverId = "server_id"
        }
    }

    /// Segments of cached transcripts containing every word of `query` (case-insensitive).
    public func searchCached(_ query: String, speaker: String? = nil) async throws -> [LocalHit] {
        let words = query.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        guard !words.isEmpty else { return [] }
        var hits: [LocalHit] = []
        for recording in try await all() {
            guard let json = recording.transcriptJson,
                let transcript = try? JSONDecoder().decode(Transcript.self, from: Data(json.utf8))
            else { continue }
            for segment in transcript.segments {
                let name = transcript.speakerName(segment.speakerLabel)
                if let speaker, name.lowercased() != speaker.lowercased(), segment.speakerLabel != speaker { continue }
                let haystack = segment.text.lowercased()
                guard words.allSatisfy(haystack.contains) else { continue }
                hits.append(
                    LocalHit(
                        recordingId: recording.id, serverId: recording.serverId, title: recording.title,
                        start: segment.start, speaker: name, text: segment.text))
            }
        }
        return hits
    }
}
