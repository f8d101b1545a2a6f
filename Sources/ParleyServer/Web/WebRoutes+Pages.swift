import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import ParleyAPI
import ParleyCore
import ParleyStore
import ParleyQueue

extension WebRoutes {
    /// GET /: the newest meetings (one keyset query for one page of 50), scope switch, upload.
    func dashboard(_ request: Request, session: WebSession) async throws -> any ResponseGenerator {
        let query = FormQuery(request.uri.query)
        let scope = MeetingScope(rawValue: query.get("scope") ?? "all") ?? .all
        let cursor = query.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        let page: Page<MeetingSummary>
        do {
            page = try await dependencies.meetings.summaries(
                viewer: session.viewer, scope: scope, limit: DashboardPage.pageSize, cursor: cursor)
        } catch is PageCursorError {
            return HTMLResponse.redirect(to: base + (scope == .all ? "/" : "/?scope=\(scope.rawValue)"))
        }
        var pageChrome = chrome("Meetings", session: session, scripts: ["sha256.js", "upload.js", "dashboard.js"])
        pageChrome.isDashboard = true
        var view = DashboardPage(
            chrome: pageChrome,
            scope: scope, page: page, isFirstPage: cursor == nil,
            workspaceNames: try await workspaceNames(session.viewer), maxUploadBytes: dependencies.configuration.maxUploadBytes)
        if session.viewer.isAdmin { view.workers = WorkersPanel(await dependencies.processing.connectedWorkers()) }
        return try render(view, template: "dashboard")
    }

    /// GET /meetings/{id}/card?scope=: one dashboard card as an HTML fragment, for the
    /// dashboard script to insert or refresh (new uploads, finished processing). 204 when
    /// the meeting is not in that scope.
    func card(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        guard let session = try await WebSession.resolve(request, context: context, sessions: dependencies.sessions) else {
            return Response(status: .unauthorized, headers: [.cacheControl: "no-store"])
        }
        let id = try context.parameters.require("id")
        guard MeetingIdentifier.isValid(id), let meeting = try await dependencies.meetings.meeting(id: id, viewer: session.viewer)
        else { return Response(status: .notFound, headers: [.cacheControl: "no-store"]) }
        switch FormQuery(request.uri.query).get("scope") {
        case "personal" where !(meeting.isPersonal && meeting.ownerId == session.viewer.userId),
            "workspace" where meeting.isPersonal:
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        default: break
        }
        let view = MeetingCard(meeting.summary, base: base, workspaceNames: try await workspaceNames(session.viewer))
        return try render(view, template: "card").response(from: request, context: context)
    }

    /// GET /meetings/{id}: the whole meeting, server-rendered.
    func meetingPage(_ request: Request, context: ParleyRequestContext, session: WebSession) async throws -> any ResponseGenerator {
        let id = try context.parameters.require("id")
        guard MeetingIdentifier.isValid(id), let meeting = try await dependencies.meetings.meeting(id: id, viewer: session.viewer)
        else { return try notFound(session: session) }
        let processed = try await TranscriptRepository(database: dependencies.database).current(meetingId: meeting.id)
        var pageChrome = chrome(meeting.title, session: session, scripts: ["meeting.js"])
        pageChrome.bodyClass = "meeting-page"
        let names = meeting.isPersonal ? [:] : try await workspaceNames(session.viewer)
        let models = meeting.ownerId == session.viewer.userId ? await dependencies.processing.offeredModels() : []
        return try render(
            MeetingPage(
                chrome: pageChrome, meeting: meeting, processed: processed, viewer: session.viewer,
                workspaceNames: names, models: Array(models)), template: "meeting")
    }

    /// GET /search?q=&speaker=&from=&to=&scope=&mode=: a plain GET form, so it works without scripts.
    func searchPage(_ request: Request, session: WebSession) async throws -> any ResponseGenerator {
        let form = FormQuery(request.uri.query)
        func field(_ name: String) -> String { (form.get(name) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let text = String(field("q").prefix(500))
        let speaker = field("speaker"), from = field("from"), to = field("to")
        let scope = ["personal", "workspace"].contains(field("scope")) ? field("scope") : "all"
        let mode = SearchRepository.Mode(rawValue: field("mode")) ?? .hybrid
        var hits: [SearchHit] = []
        var error: String?
        if !text.isEmpty {
            var filters = SearchRepository.Filters()
            filters.speaker = speaker.isEmpty ? nil : speaker
            filters.scope = scope
            filters.limit = 100
            if !from.isEmpty {
                filters.from = Self.day(from, endOfDay: false)
                if filters.from == nil { error = "“From” must be a date such as 2026-11-25." }
            }
            if !to.isEmpty {
                filters.to = Self.day(to, endOfDay: true)
                if filters.to == nil { error = "“To” must be a date such as 2026-11-25." }
            }
            if error == nil {
                do {
                    hits = try await dependencies.search.run(text, mode: mode, viewer: session.viewer, filters: filters).hits
                } catch let failure as APIFailure {
                    error = failure.message  // search by meaning without the model
                }
            }
        }
        var pageChrome = chrome(text.isEmpty ? "Search" : "Search: \(text)", session: session)
        pageChrome.isSearch = true
        return try render(
            SearchPage(
                chrome: pageChrome, query: text, speaker: speaker, from: from, to: to, scope: scope,
                mode: mode, hits: hits, error: error), template: "search")
    }

    func notFound(session: WebSession) throws -> HTMLResponse {
        struct NotFound {
            var chrome: PageChrome
        }
        return try render(NotFound(chrome: chrome("Not found", session: session)), template: "notfound", status: .notFound)
    }

    /// A day from a date field; "to" days run to their last second.
    static func day(_ text: String, endOfDay: Bool) -> Double? {
        if text.count == 10, let start = StoreClock.parse(text + "T00:00:00Z") {
            return endOfDay ? start + 86_399.999 : start
        }
        return StoreClock.parse(text)
    }

    /// Names of the viewer's workspaces, by id (for card labels and the upload target).
    func workspaceNames(_ viewer: Viewer) async throws -> [String: String] {
        guard !viewer.workspaceIds.isEmpty else { return [:] }
        let ids = viewer.workspaceIds
        return try await dependencies.database.pool.read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, name FROM workspace WHERE id IN (\(marks))",
                arguments: StatementArguments(ids))
            return Dictionary(rows.map { ($0["id"] as String, $0["name"] as String) }, uniquingKeysWith: { first, _ in first })
        }
    }
}
