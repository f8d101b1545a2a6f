import Foundation
import HTTPTypes
import Hummingbird
import ParleyAPI
import ParleyCore
import ParleyQueue
import ParleyStore

/// Meetings: dashboard lists, duplicate checks, details, deletion.
struct MeetingRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on meetings: RouterGroup<ParleyRequestContext>) {
        meetings.get("summary") { request, context in
            let viewer = try context.requireViewer()
            let query = request.uri.queryParameters
            guard let scope = MeetingScope(rawValue: query.get("scope") ?? "all") else {
                throw APIFailure.badRequest("scope must be personal, workspace or all")
            }
            let limit = try Self.limit(query.get("limit"), default: 50, maximum: 200)
            let page = try await Self.paged {
                try await dependencies.meetings.summaries(viewer: viewer, scope: scope, limit: limit, cursor: query.get("cursor"))
            }
            return try JSONResponse.make(page)
        }
        meetings.get("synced") { request, context in
            let viewer = try context.requireViewer()
            let query = request.uri.queryParameters
            let limit = try Self.limit(query.get("limit"), default: 500, maximum: 1000)
            let page = try await Self.paged {
                try await dependencies.meetings.synced(viewer: viewer, limit: limit, cursor: query.get("cursor"))
            }
            return try JSONResponse.make(page)
        }
        meetings.get("check/{id}") { request, context in
            let viewer = try context.requireViewer()
            let id = try Self.identifier(context)
            let sha = request.uri.queryParameters.get("sha256")?.lowercased()
            if let sha, !MeetingIdentifier.isSHA256(sha) { throw APIFailure.badRequest("sha256 must be 64 hex digits") }
            var found = try await dependencies.meetings.owned(by: viewer, meetingId: id)
            if found == nil { found = try await dependencies.meetings.owned(by: viewer, clientId: id, sha256: sha) }
            return try JSONResponse.make(MeetingCheck(exists: found != nil, meeting: found?.summary))
        }
        meetings.get("{id}") { _, context in
            let meeting = try await Self.visibleMeeting(context, dependencies: dependencies)
            let processed = try await TranscriptRepository(database: dependencies.database).current(meetingId: meeting.id)
            return try JSONResponse.make(
                MeetingDetail(
                    meeting: meeting.summary, transcript: processed?.transcript, insights: processed?.insights))
        }
        meetings.delete("{id}") { _, context in
            let meeting = try await Self.visibleMeeting(context, dependencies: dependencies, ownerOnly: true)
            // Stop the work first (kills an engine job), then remove rows and files.
            try await dependencies.processing.cancel(meetingId: meeting.id)
            try await dependencies.meetings.delete(id: meeting.id)
            try? FileManager.default.removeItem(at: dependencies.storage.meetingDirectory(meeting.id))
            return Response(status: .noContent)
        }
    }

    /// The meeting named by `{id}` if the viewer may see it (or, with `ownerOnly`, owns
    /// it); 404 either way otherwise, so nobody learns that another's meeting exists.
    static func visibleMeeting(
        _ context: ParleyRequestContext, dependencies: ServerDependencies, ownerOnly: Bool = false
    ) async throws -> MeetingRecord {
        let viewer = try context.requireViewer()
        let id = try identifier(context)
        let found =
            ownerOnly
            ? try await dependencies.meetings.owned(by: viewer, meetingId: id)
            : try await dependencies.meetings.meeting(id: id, viewer: viewer)
        guard let found else { throw APIFailure.notFound() }
        return found
    }

    static func identifier(_ context: ParleyRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard MeetingIdentifier.isValid(id) else {
            throw APIFailure.badRequest("invalid meeting id: use 1–128 letters, digits, '.', '_' or '-'", code: .invalidID)
        }
        return id
    }

    static func limit(_ text: String?, default value: Int, maximum: Int) throws -> Int {
        guard let text else { return value }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw APIFailure.badRequest("limit must be an integer from 1 to \(maximum)")
        }
        return limit
    }

    static func paged<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch is PageCursorError {
            throw APIFailure.badRequest("cursor is not one this server issued", code: .invalidCursor)
        }
    }
}
