import Foundation
import Hummingbird
import NIOCore
import ParleyAPI
import ParleyCore
import ParleyEngine
import ParleyStore
import Logging
import ParleyQueue

/// What every transcript edit route does: find the processed meeting the viewer may see,
/// record edits (all in one transaction), and answer with the edited meeting.
struct TranscriptEditor: Sendable {
    let dependencies: ServerDependencies

    func load(_ context: ParleyRequestContext) async throws -> (MeetingRecord, ProcessedMeeting) {
        let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies)
        guard let processed = try await TranscriptRepository(database: dependencies.database).current(meetingId: meeting.id) else {
            throw APIFailure(.conflict, code: .notProcessed, "the meeting has no transcript until it is processed")
        }
        return (meeting, processed)
    }

    /// Records the edits; a name given here teaches the voice to the acting user's own
    /// voiceprints (a workspace member renaming a speaker in a shared meeting never writes
    /// into the owner's store).
    func save(_ edits: TranscriptEdit..., meeting: MeetingRecord, context: ParleyRequestContext) async throws -> Response {
        try await save(edits, meeting: meeting, context: context)
    }

    func save(_ edits: [TranscriptEdit], meeting: MeetingRecord, context: ParleyRequestContext) async throws -> Response {
        let updated = try await TranscriptRepository(database: dependencies.database)
            .apply(edits, meeting: meeting, by: try context.requireViewer().userId)
        let fresh = try await dependencies.meetings.meeting(id: meeting.id) ?? meeting
        await dependencies.processing.announce(meetingId: meeting.id)
        if let updated { embedCorrections(of: updated, meetingId: meeting.id) }
        return try JSONResponse.make(MeetingDetail(meeting: fresh.summary, transcript: updated?.transcript, insights: updated?.insights))
    }

    /// Search by meaning for corrected lines: their new words get vectors at once, in the
    /// query encoder's process, after the edit has answered (a correction is not slowed by
    /// it, and a failure only leaves the line to keyword search until the next re-index).
    /// Up to 256 lines at a time; a find-and-replace across more waits for a re-index.
    func embedCorrections(of processed: ProcessedMeeting, meetingId: String) {
        let dependencies = dependencies
        Task {
            do {
                let transcripts = TranscriptRepository(database: dependencies.database)
                let missing = try await transcripts.textsWithoutVectors(meetingId: meetingId, among: SearchTexts.of(processed))
                // A coordinator without local engines (`--no-local-workers`) has no encoder.
                guard !missing.isEmpty, missing.count <= 256, let encoder = dependencies.search.encoder,
                    let vectors = try await encoder.vectors(for: missing), vectors.count == missing.count
                else { return }
                try await transcripts.store(
                    vectors: Dictionary(uniqueKeysWithValues: zip(missing, vectors.map { VectorCoding.float16Data($0) })),
                    meetingId: meetingId)
            } catch {
                dependencies.logger.warning("corrected lines not embedded", metadata: ["meeting": "\(meetingId)", "error": "\(error)"])
            }
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 16 * 1024)
        } catch is NIOTooManyBytesError {
            // Hummingbird answers this with an empty 413; every API error is JSON.
            throw APIFailure(.contentTooLarge, code: .tooLarge, "the body must be at most 16 KiB of JSON")
        }
        do {
            return try ParleyJSON.decoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw APIFailure.badRequest("the body is not the JSON this endpoint expects")
        }
    }
}
