import Hummingbird
import ParleyAPI
import ParleyStore

/// GET /webhooks, and the page's two forms: add (POST /webhooks) and delete
/// (POST /webhooks/{id}/delete). Plain forms with the page's CSRF value, so the page works
/// without scripts; the rules and messages are the API's (`WebhookTarget`).
extension WebRoutes {
    func webhooksPage(
        session: WebSession, secret: String? = nil, error: String? = nil, url: String = "",
        status: HTTPResponse.Status = .ok
    ) async throws -> HTMLResponse {
        let repository = WebhookRepository(database: dependencies.database)
        var rows: [(Webhook, [WebhookDelivery])] = []
        for webhook in try await repository.list(viewer: session.viewer) {
            rows.append((webhook, try await repository.deliveries(webhookId: webhook.id, limit: 20)))
        }
        let names = try await workspaceNames(session.viewer)
        let admin = try await dependencies.accounts.adminWorkspaces(userId: session.viewer.userId)
        var pageChrome = chrome("Webhooks", session: session)
        pageChrome.isWebhooks = true
        let view = WebhooksPage(
            chrome: pageChrome, webhooks: rows, adminOf: names.filter { admin.contains($0.key) },
            workspaceNames: names, secret: secret, error: error, url: url)
        return try render(view, template: "webhooks", status: status)
    }

    func addWebhook(_ request: Request, session: WebSession) async throws -> any ResponseGenerator {
        let form = FormQuery(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
        guard SessionCookie.isValidCSRF(form.get("csrf"), session: session.id) else {
            return try await webhooksPage(session: session, error: "This form is out of date; reload the page.", status: .forbidden)
        }
        let url = form.get("url") ?? ""
        let workspace = form.get("workspace").flatMap { $0.isEmpty ? nil : $0 }
        let events = form.all("event").compactMap(WebhookEvent.init(rawValue:))
        do {
            let created = try await WebhookTarget(repository: WebhookRepository(database: dependencies.database))
                .create(WebhookRequest(url: url, workspaceId: workspace, events: events), viewer: session.viewer)
            return try await webhooksPage(session: session, secret: created.secret, status: .created)
        } catch let failure as APIFailure {
            return try await webhooksPage(session: session, error: failure.message, url: url, status: failure.status)
        }
    }

    func deleteWebhook(_ id: String, _ request: Request, session: WebSession) async throws -> any ResponseGenerator {
        let form = FormQuery(String(buffer: try await request.body.collect(upTo: 8 * 1024)))
        if SessionCookie.isValidCSRF(form.get("csrf"), session: session.id), id.utf8.count <= 64 {
            _ = try await WebhookRepository(database: dependencies.database).delete(id: id, viewer: session.viewer)
        }
        return HTMLResponse.redirect(to: base + "/webhooks")
    }
}
