import Foundation
import Hummingbird
import ParleyAPI
import ParleyStore
import Logging

/// `/api/v1/webhooks`: the caller's webhooks (their own meetings, and those of workspaces
/// they administer), made with a secret shown once, and each one's delivery log. A webhook
/// the caller may not manage is a 404, like an unknown one.
struct WebhookRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on api: RouterGroup<ParleyRequestContext>) {
        let repository = WebhookRepository(database: dependencies.database)
        api.get("webhooks") { _, context in
            try JSONResponse.make(try await repository.list(viewer: try context.requireViewer()))
        }
        api.post("webhooks") { request, context in
            let viewer = try context.requireViewer()
            let body = try await TranscriptEditor.decode(WebhookRequest.self, request)
            let created = try await WebhookTarget(repository: repository).create(body, viewer: viewer)
            dependencies.logger.info("webhook added", metadata: ["user": "\(viewer.name)", "webhook": "\(created.webhook.id)"])
            return try JSONResponse.make(created, status: .created)
        }
        api.get("webhooks/{id}") { _, context in
            try JSONResponse.make(try await managed(context, repository))
        }
        api.delete("webhooks/{id}") { _, context in
            let viewer = try context.requireViewer()
            let id = try context.parameters.require("id")
            guard id.utf8.count <= 64, try await repository.delete(id: id, viewer: viewer) else { throw APIFailure.notFound("webhook") }
            return Response(status: .noContent)
        }
        api.get("webhooks/{id}/deliveries") { request, context in
            let webhook = try await managed(context, repository)
            let limit = FormQuery(request.uri.query).get("limit").flatMap(Int.init) ?? 50
            guard (1...500).contains(limit) else { throw APIFailure.badRequest("limit must be 1 to 500") }
            return try JSONResponse.make(try await repository.deliveries(webhookId: webhook.id, limit: limit))
        }
    }

    func managed(_ context: ParleyRequestContext, _ repository: WebhookRepository) async throws -> Webhook {
        let id = try context.parameters.require("id")
        guard id.utf8.count <= 64, let webhook = try await repository.webhook(id: id, viewer: try context.requireViewer())
        else { throw APIFailure.notFound("webhook") }
        return webhook
    }
}
