import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import ParleyAPI
import ParleyCore
import ParleyQueue
import ParleyStore
import ServiceLifecycle

/// Processing control and progress: queue, re-run, cancel, status, live events.
struct ProcessingRoutes: Sendable {
    let dependencies: ServerDependencies

    struct ProcessRequest: Decodable {
        var fromStage: ProcessingStage?
        /// Re-running diarization renumbers voices, so speaker edits would point at the
        /// wrong people: the caller must say they may be dropped.
        var discardEdits: Bool?
        /// The model to transcribe with from now on ("" = the server's default); a job that
        /// asks for a model goes only to a worker that has it.
        var model: String?
    }

    func register(on meetings: RouterGroup<ParleyRequestContext>, api: RouterGroup<ParleyRequestContext>) {
        meetings.post("{id}/process-async") { request, context in try await process(request, context: context) }
        meetings.post("{id}/cancel") { _, context in
            let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies, ownerOnly: true)
            try await dependencies.processing.cancel(meetingId: meeting.id)
            return try await statusResponse(meetingId: meeting.id, context: context, status: .ok)
        }
        meetings.get("{id}/status") { _, context in
            let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies)
            return try JSONResponse.make(try await dependencies.processing.status(of: meeting))
        }
        api.get("events") { _, context in try await events(context: context) }
    }

    /// Idempotent: queues work only when none is pending; `from_stage` re-runs one stage
    /// and those after it, keeping the results before it.
    func process(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies, ownerOnly: true)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 4096)
        } catch is NIOTooManyBytesError {
            // Hummingbird answers this with an empty 413; every API error is JSON.
            throw APIFailure(.contentTooLarge, code: .tooLarge, "the body must be at most 4096 bytes of JSON")
        }
        var fromStage: ProcessingStage?
        var discardEdits = false
        var model: String?
        if body.readableBytes > 0 {
            do {
                let decoded = try ParleyJSON.decoder().decode(ProcessRequest.self, from: Data(buffer: body))
                fromStage = decoded.fromStage
                discardEdits = decoded.discardEdits ?? false
                model = decoded.model
            } catch {
                throw APIFailure.badRequest("body must be {\"from_stage\": one of \(ProcessingStage.allCases.map(\.rawValue))}")
            }
        }
        if let model {
            guard model.count <= 256, !model.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw APIFailure.badRequest("model must be a model name of at most 256 characters")
            }
            // A new model means a new transcription.
            fromStage = fromStage ?? .transcribe
        }
        let jobs = try await dependencies.jobs.jobs(meetingId: meeting.id)
        let pending = jobs.contains { $0.state == .queued || $0.state == .running }
        let restart = fromStage ?? jobs.first { $0.state != .done }?.stage
        if !pending, let restart, fromStage != nil || meeting.status != .synced {
            // Refuse for a full queue before anything is changed: a re-run that is turned
            // away must not have discarded the user's edits first.
            try await MeetingIntake(dependencies: dependencies).requireCapacity()
            let transcripts = TranscriptRepository(database: dependencies.database)
            let edits = try await transcripts.edits(meetingId: meeting.id)
            if restart.order <= ProcessingStage.diarize.order, !edits.isEmpty {
                guard discardEdits else {
                    throw APIFailure(
                        .conflict, code: .hasEdits,
                        """
                        this meeting has \(edits.count) edit(s) (speakers or corrected words); re-running \
                        \(restart.rawValue) replaces what they apply to, so send {"from_stage": "\(restart.rawValue)", "discard_edits": true} to confirm
                        """)
                }
                try await transcripts.discardEdits(meetingId: meeting.id)
            }
            if let model { try await dependencies.processing.requestModel(model.isEmpty ? nil : model, meetingId: meeting.id) }
            _ = try await dependencies.processing.process(meetingId: meeting.id, from: restart)
        }
        return try await statusResponse(meetingId: meeting.id, context: context, status: .accepted)
    }

    func statusResponse(meetingId: String, context: ParleyRequestContext, status: HTTPResponse.Status) async throws -> Response {
        guard let meeting = try await dependencies.meetings.meeting(id: meetingId) else { throw APIFailure.notFound() }
        return try JSONResponse.make(try await dependencies.processing.status(of: meeting), status: status)
    }

    /// Server-Sent Events: one `meeting` event per change the viewer may see, a comment
    /// every heartbeat (a client that left is noticed at the next write, and proxies see
    /// traffic), and an end after the stream's longest life (EventSource reconnects).
    func events(context: ParleyRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let caps = dependencies.connections
        try await caps.acquire(.events, user: viewer.userId)
        let subscription = await dependencies.processing.events.subscribe()
        let broadcaster = dependencies.processing.events
        let items = EventStreamItems(
            events: subscription.events, heartbeat: dependencies.configuration.eventHeartbeatSeconds,
            lifetime: dependencies.configuration.eventStreamMaxSeconds)
        let body = ResponseBody { writer in
            defer { items.stop() }
            do {
                try await writer.write(ByteBuffer(string: ": connected\nretry: 3000\n\n"))
                // The stream does not end by itself soon, and graceful shutdown waits for every
                // response: end it on shutdown, or an open dashboard keeps `parley serve` up.
                try await withGracefulShutdownHandler {
                    for await item in items.stream {
                        switch item {
                        case .event(let event) where Self.visible(event, to: viewer):
                            let data = String(decoding: try ParleyJSON.encoder().encode(event), as: UTF8.self)
                            try await writer.write(ByteBuffer(string: "event: meeting\ndata: \(data)\n\n"))
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: ": ping\n\n"))
                        case .event:
                            continue
                        }
                    }
                } onGracefulShutdown: {
                    Task { await broadcaster.unsubscribe(subscription.id) }
                }
                await broadcaster.unsubscribe(subscription.id)
                await caps.release(.events, user: viewer.userId)
                try await writer.finish(nil)
            } catch {
                await broadcaster.unsubscribe(subscription.id)
                await caps.release(.events, user: viewer.userId)
                throw error
            }
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no",
            ], body: body)
    }

    static func visible(_ event: ProcessingEvent, to viewer: Viewer) -> Bool {
        event.ownerId == viewer.userId
            || (!event.isPersonal && event.workspaceId.map(viewer.workspaceIds.contains) == true)
    }
}
