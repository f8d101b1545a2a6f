import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyAPI
import ParleyCore
import ParleyStore

/// Speaker management: rename, merge, accept or reject a suggested name. Every change is
/// stored as an edit; the diarization result itself is kept. Segments: `SegmentRoutes`.
struct SpeakerRoutes: Sendable {
    let dependencies: ServerDependencies

    struct RenameBody: Decodable {
        var customName: String??
        var suggestion: String?

        // No raw values: `ParleyJSON.decoder()` has turned `custom_name` into `customName`.
        enum CodingKeys: CodingKey {
            case suggestion, customName
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Distinguish "custom_name": null (clear the name) from a missing key.
            customName = container.contains(.customName) ? .some(try container.decodeIfPresent(String.self, forKey: .customName)) : .none
            suggestion = try container.decodeIfPresent(String.self, forKey: .suggestion)
        }
    }

    struct MergeBody: Decodable {
        var from: String
        var into: String
    }

    var editor: TranscriptEditor { TranscriptEditor(dependencies: dependencies) }

    func register(on meetings: RouterGroup<ParleyRequestContext>) {
        meetings.get("{id}/speakers") { _, context in
            let (meeting, processed) = try await editor.load(context)
            return try JSONResponse.make(
                MeetingDetail(
                    meeting: meeting.summary, transcript: processed.transcript,
                    insights: processed.insights))
        }
        meetings.patch("{id}/speakers/{speaker}") { request, context in
            let (meeting, processed) = try await editor.load(context)
            let speaker = try Self.speaker(context, in: processed.transcript)
            let body = try await TranscriptEditor.decode(RenameBody.self, request)
            let edit: TranscriptEdit
            switch (body.customName, body.suggestion) {
            case (.some(let name), nil):
                if let name, !(1...100).contains(name.trimmingCharacters(in: .whitespaces).count) {
                    throw APIFailure.badRequest("custom_name must be 1–100 characters, or null to clear it")
                }
                edit = .rename(speakerID: speaker, name: name)
            case (nil, "accept"?): edit = .acceptSuggestion(speakerID: speaker)
            case (nil, "reject"?): edit = .rejectSuggestion(speakerID: speaker)
            default: throw APIFailure.badRequest("send {\"custom_name\": \"Name\"} or {\"suggestion\": \"accept\" | \"reject\"}")
            }
            return try await editor.save(edit, meeting: meeting, context: context)
        }
        meetings.post("{id}/speakers/merge") { request, context in
            let (meeting, processed) = try await editor.load(context)
            let body = try await TranscriptEditor.decode(MergeBody.self, request)
            let ids = Set(processed.transcript.speakers.map(\.id))
            guard ids.contains(body.from), ids.contains(body.into) else { throw APIFailure.notFound("speaker") }
            guard body.from != body.into else { throw APIFailure.badRequest("cannot merge a speaker into itself") }
            return try await editor.save(.merge(from: body.from, into: body.into), meeting: meeting, context: context)
        }
    }

    static func speaker(_ context: ParleyRequestContext, in transcript: Transcript) throws -> String {
        let id = try context.parameters.require("speaker")
        guard transcript.speakers.contains(where: { $0.id == id }) else { throw APIFailure.notFound("speaker") }
        return id
    }
}
