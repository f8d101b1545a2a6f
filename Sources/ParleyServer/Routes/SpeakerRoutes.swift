import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyAPI
import ParleyCore
import ParleyStore

/// Speaker management: rename, merge, reassign a segment, accept or reject a suggested
/// name. Every change is stored as an edit; the diarization result itself is kept.
struct SpeakerRoutes: Sendable {
    let dependencies: ServerDependencies

    struct RenameBody: Decodable {
        var customName: String??
        var suggestion: String?

        enum CodingKeys: String, CodingKey {
            case suggestion
            case customName = "custom_name"
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

    struct ReassignBody: Decodable {
        var speakerID: String

        enum CodingKeys: String, CodingKey {
            case speakerID = "speaker_id"
        }
    }

    func register(on meetings: RouterGroup<ParleyRequestContext>) {
        meetings.get("{id}/speakers") { _, context in
            let (meeting, processed) = try await load(context)
            return try JSONResponse.make(MeetingDetail(meeting: meeting.summary, transcript: processed.transcript,
                                                       insights: processed.insights))
        }
        meetings.patch("{id}/speakers/{speaker}") { request, context in
            let (meeting, processed) = try await load(context)
            let speaker = try Self.speaker(context, in: processed.transcript)
            let body = try await Self.decode(RenameBody.self, request)
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
            return try await save(edit, meeting: meeting, context: context)
        }
        meetings.post("{id}/speakers/merge") { request, context in
            let (meeting, processed) = try await load(context)
            let body = try await Self.decode(MergeBody.self, request)
            let ids = Set(processed.transcript.speakers.map(\.id))
            guard ids.contains(body.from), ids.contains(body.into) else { throw APIFailure.notFound("speaker") }
            guard body.from != body.into else { throw APIFailure.badRequest("cannot merge a speaker into itself") }
            return try await save(.merge(from: body.from, into: body.into), meeting: meeting, context: context)
        }
        meetings.patch("{id}/segments/{index}") { request, context in
            let (meeting, processed) = try await load(context)
            guard let index = context.parameters.get("index", as: Int.self),
                  processed.transcript.segments.indices.contains(index)
            else { throw APIFailure.notFound("segment") }
            let body = try await Self.decode(ReassignBody.self, request)
            guard processed.transcript.speakers.contains(where: { $0.id == body.speakerID }) else {
                throw APIFailure.notFound("speaker")
            }
            return try await save(.reassign(segment: index, to: body.speakerID), meeting: meeting, context: context)
        }
    }

    func load(_ context: ParleyRequestContext) async throws -> (MeetingRecord, ProcessedMeeting) {
        let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies)
        guard let processed = try await TranscriptRepository(database: dependencies.database).current(meetingId: meeting.id) else {
            throw APIFailure(.conflict, code: "not_processed", "the meeting has no speakers until it is processed")
        }
        return (meeting, processed)
    }

    /// Records the edit; a name given here teaches the voice to the acting user's own
    /// voiceprints (a workspace member renaming a speaker in a shared meeting never writes
    /// into the owner's store).
    func save(_ edit: TranscriptEdit, meeting: MeetingRecord, context: ParleyRequestContext) async throws -> Response {
        let updated = try await TranscriptRepository(database: dependencies.database)
            .apply(edit, meeting: meeting, by: try context.requireViewer().userId)
        let fresh = try await dependencies.meetings.meeting(id: meeting.id) ?? meeting
        await dependencies.processing.announce(meetingId: meeting.id)
        return try JSONResponse.make(MeetingDetail(meeting: fresh.summary, transcript: updated?.transcript, insights: updated?.insights))
    }

    static func speaker(_ context: ParleyRequestContext, in transcript: Transcript) throws -> String {
        let id = try context.parameters.require("speaker")
        guard transcript.speakers.contains(where: { $0.id == id }) else { throw APIFailure.notFound("speaker") }
        return id
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 16 * 1024)
        } catch is NIOTooManyBytesError {
            // Hummingbird answers this with an empty 413; every API error is JSON.
            throw APIFailure(.contentTooLarge, code: "too_large", "the body must be at most 16 KiB of JSON")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw APIFailure.badRequest("the body is not the JSON this endpoint expects")
        }
    }
}
