import ParleyAPI

/// The webhooks page: the viewer's webhooks with their recent deliveries, and the form
/// that adds one (showing the new secret once).
struct WebhooksPage: Sendable {
    struct Option: Sendable {
        var value: String
        var label: String
    }

    struct Delivery: Sendable {
        var createdAt: String
        var event: String
        var meetingId: String
        var meetingLabel: String
        var state: String
        var attempts: Int
        var lastAnswer: String
    }

    struct Row: Sendable {
        var id: String
        var url: String
        var scopeLabel: String
        var eventsLabel: String
        var createdAt: String
        var deliveries: [Delivery]
        var hasDeliveries: Bool
    }

    static let eventLabels: [(WebhookEvent, String)] = [
        (.processed, "Processed"), (.failed, "Failed"), (.corrected, "Corrected"),
    ]

    var chrome: PageChrome
    var scopes: [Option]
    var events: [Option]
    var webhooks: [Row]
    var hasWebhooks: Bool
    var secret: String
    var hasSecret: Bool
    var error: String
    var hasError: Bool
    var url: String

    /// `adminOf`: the workspaces (id → name) whose webhooks the viewer may add.
    init(
        chrome: PageChrome, webhooks: [(Webhook, [WebhookDelivery])], adminOf: [String: String], workspaceNames: [String: String],
        secret: String? = nil, error: String? = nil, url: String = ""
    ) {
        self.chrome = chrome
        scopes =
            [Option(value: "", label: "My meetings")]
            + adminOf.sorted { $0.value < $1.value }.map { Option(value: $0.key, label: "Workspace \($0.value)") }
        events = Self.eventLabels.map { Option(value: $0.0.rawValue, label: $0.1) }
        self.webhooks = webhooks.map { webhook, deliveries in
            Row(
                id: webhook.id, url: webhook.url,
                scopeLabel: webhook.workspaceId.map { "Workspace " + (workspaceNames[$0] ?? $0) } ?? "My meetings",
                eventsLabel: Self.eventLabels.filter { webhook.events.contains($0.0) }.map(\.1).joined(separator: ", "),
                createdAt: webhook.createdAt,
                deliveries: deliveries.map { delivery in
                    Delivery(
                        createdAt: delivery.createdAt, event: delivery.event.rawValue, meetingId: delivery.meetingId,
                        meetingLabel: String(delivery.meetingId.prefix(8)), state: delivery.state.rawValue,
                        attempts: delivery.attempts, lastAnswer: Self.answer(delivery))
                },
                hasDeliveries: !deliveries.isEmpty)
        }
        hasWebhooks = !webhooks.isEmpty
        self.secret = secret ?? ""
        hasSecret = secret != nil
        self.error = error ?? ""
        hasError = error != nil
        self.url = url
    }

    static func answer(_ delivery: WebhookDelivery) -> String {
        switch (delivery.lastStatus, delivery.lastError) {
        case (_, let error?): error
        case (let status?, nil): "HTTP \(status)"
        case (nil, nil): delivery.state == .pending ? "waiting" : ""
        }
    }
}
