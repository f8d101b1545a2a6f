import Foundation
import ParleyAPI
import ParleyStore
import HTTPTypes

/// Turning what a user asked for (API or form) into a stored webhook, with one set of rules
/// and messages for both: an http(s) URL with a host and no credentials in it, at least
/// one event, and a workspace only for its admins.
struct WebhookTarget: Sendable {
    let repository: WebhookRepository

    static func validate(url text: String) throws -> String {
        let url = text.trimmingCharacters(in: .whitespaces)
        guard url.utf8.count <= 2000, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = parsed.host, !host.isEmpty
        else {
            throw APIFailure.badRequest("the webhook URL must be an http:// or https:// address with a host", code: .badWebhookURL)
        }
        guard parsed.user == nil, parsed.password == nil else {
            throw APIFailure.badRequest(
                "the webhook URL must not carry a user name or password; check the Parley-Signature header instead",
                code: .badWebhookURL)
        }
        return url
    }

    func create(_ request: WebhookRequest, viewer: Viewer) async throws -> WebhookCreated {
        let url = try Self.validate(url: request.url)
        let events = request.events ?? WebhookEvent.allCases
        guard !events.isEmpty else { throw APIFailure.badRequest("name at least one event", code: .badWebhookEvents) }
        let unique = WebhookEvent.allCases.filter(events.contains)
        if let workspace = request.workspaceId, !viewer.workspaceIds.contains(workspace) {
            throw APIFailure.notFound("workspace")
        }
        let secret = WebhookSignature.newSecret()
        do {
            let webhook = try await repository.create(
                viewer: viewer, url: url, workspaceId: request.workspaceId, events: unique, secret: secret)
            return WebhookCreated(webhook: webhook, secret: secret)
        } catch WebhookRepository.Failure.notAdmin {
            throw APIFailure(.forbidden, code: .notAdmin, "only the workspace's admins can add webhooks for its meetings")
        } catch WebhookRepository.Failure.tooMany(let limit) {
            throw APIFailure(.conflict, code: .tooManyWebhooks, "at most \(limit) webhooks per user; delete one first")
        }
    }
}
