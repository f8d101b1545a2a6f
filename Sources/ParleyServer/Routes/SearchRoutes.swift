import Foundation
import Hummingbird
import ParleyAPI
import ParleyCore
import ParleyStore

/// `GET /api/v1/search`: ranked hits with highlighted snippets, each with the meeting,
/// segment and start time a player can jump to; voiceprints listed and deleted.
struct SearchRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on api: RouterGroup<ParleyRequestContext>) {
        api.get("search") { request, context in
            let viewer = try context.requireViewer()
            // Free text: `+` means a space, as every form and HTTP client encodes it.
            let query = FormQuery(request.uri.query)
            guard let text = query.get("q")?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 500 else {
                throw APIFailure.badRequest("q is required (1–500 characters)")
            }
            var filters = SearchRepository.Filters()
            filters.speaker = query.get("speaker")
            filters.from = try Self.date(query.get("from"), name: "from")
            filters.to = try Self.date(query.get("to"), name: "to")
            if let scope = query.get("scope") {
                guard ["personal", "workspace", "all"].contains(scope) else {
                    throw APIFailure.badRequest("scope must be personal, workspace or all")
                }
                filters.scope = scope
            }
            if let status = query.get("status") {
                guard let parsed = MeetingStatus(rawValue: status) else { throw APIFailure.badRequest("unknown status \(status)") }
                filters.status = parsed
            }
            filters.limit = try MeetingRoutes.limit(query.get("limit"), default: 50, maximum: 200)
            guard let mode = SearchRepository.Mode(rawValue: query.get("mode") ?? "hybrid") else {
                throw APIFailure.badRequest("mode must be keyword, semantic or hybrid")
            }
            let outcome = try await dependencies.search.run(text, mode: mode, viewer: viewer, filters: filters)
            return try JSONResponse.make(SearchResults(query: text, mode: outcome.mode.rawValue, hits: outcome.hits))
        }
        api.get("voiceprints") { _, context in
            let viewer = try context.requireViewer()
            return try JSONResponse.make(try await VoiceprintRepository(database: dependencies.database).list(ownerId: viewer.userId))
        }
        api.delete("voiceprints/{id}") { _, context in
            let viewer = try context.requireViewer()
            let id = try context.parameters.require("id")
            guard try await VoiceprintRepository(database: dependencies.database).delete(id: id, ownerId: viewer.userId) else {
                throw APIFailure.notFound("voiceprint")
            }
            return Response(status: .noContent)
        }
    }

    /// A date (`2026-11-25`) or date-time (ISO 8601).
    static func date(_ text: String?, name: String) throws -> Double? {
        guard let text else { return nil }
        if let seconds = StoreClock.parse(text) ?? StoreClock.parse(text + "T00:00:00Z") { return seconds }
        throw APIFailure.badRequest("\(name) must be a date (2026-11-25) or an ISO 8601 date-time")
    }
}
