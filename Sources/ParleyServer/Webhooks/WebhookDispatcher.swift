import Foundation
import Logging
import Metrics
import ParleyAPI
import ParleyStore
import ServiceLifecycle
import AsyncHTTPClient

/// Sends the deliveries the database queued (`WebhookSchema`): signed, a few at a time,
/// retried with backoff until `WebhookSettings.attempts` are used, each attempt written to
/// the delivery log.
///
/// At least once: a delivery counts as sent only when its outcome is recorded, so one cut
/// off by a crash or a shutdown is sent again after the restart, with the same id
/// (`Parley-Delivery`, the body's `id`) and the same body, for the receiver to spot.
struct WebhookDispatcher: Service {
    let repository: WebhookRepository
    let settings: WebhookSettings
    /// Where links in bodies start: the public URL when known, else the path prefix.
    let linkRoot: String
    let logger: Logger

    func run() async throws {
        let http = WebhookSender.client(timeoutSeconds: settings.timeoutSeconds)
        let sender = WebhookSender(http: http, timeoutSeconds: settings.timeoutSeconds)
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    let found = await sweep(sender)
                    // Idle: look again in a second. Busy: at once, after a breath, so a
                    // database error that leaves rows due cannot spin the loop.
                    try await Task.sleep(for: .milliseconds(found == 0 ? 1000 : 20))
                }
            }
        } catch is CancellationError {
            // Shutting down; unsent deliveries stay queued.
        }
        try? await http.shutdown()
    }

    /// Sends what is due now, `concurrency` at a time. Returns how many were due.
    func sweep(_ sender: WebhookSender) async -> Int {
        let due: [WebhookRepository.Due]
        do {
            due = try await repository.due(limit: settings.concurrency * 4)
        } catch {
            logger.warning("webhook queue unreadable", metadata: ["error": "\(error)"])
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for delivery in due {
                if running == settings.concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await deliver(delivery, with: sender) }
                running += 1
            }
        }
        return due.count
    }

    func deliver(_ due: WebhookRepository.Due, with sender: WebhookSender) async {
        do {
            let body: String
            if let stored = due.body {
                body = stored
            } else {
                body = try await payload(for: due)
                try await repository.fix(body: body, deliveryId: due.id)
            }
            let data = Data(body.utf8)
            let outcome = await sender.send(
                to: due.url, body: data,
                headers: [
                    ("Content-Type", "application/json"), ("User-Agent", "Parley-Webhooks/1"),
                    ("Parley-Event", due.event.rawValue), ("Parley-Delivery", due.id),
                    (
                        "Parley-Signature",
                        WebhookSignature.header(body: data, secret: due.secret, timestamp: Int(Date().timeIntervalSince1970))
                    ),
                ])
            let attempts = due.attempts + 1
            let delay = outcome.delivered ? nil : settings.retryDelay(afterAttempts: attempts)
            var error = outcome.error
            if !outcome.delivered, delay == nil {
                error = (error ?? "failed") + "; gave up after \(attempts) attempt\(attempts == 1 ? "" : "s")"
            }
            try await repository.record(
                deliveryId: due.id, delivered: outcome.delivered, status: outcome.status, error: error,
                retryAt: delay.map { StoreClock.now() + $0 })
            let result = outcome.delivered ? "delivered" : (delay == nil ? "failed" : "retry")
            Counter(label: "parley_webhook_deliveries_total", dimensions: [("outcome", result)]).increment()
            logger.info(
                "webhook \(result)",
                metadata: [
                    "delivery": "\(due.id)", "event": "\(due.event.rawValue)", "attempt": "\(attempts)", "error": "\(error ?? "")",
                ])
        } catch {
            logger.warning("webhook delivery not recorded", metadata: ["delivery": "\(due.id)", "error": "\(error)"])
        }
    }

    func payload(for due: WebhookRepository.Due) async throws -> String {
        let meeting = try await repository.meeting(id: due.meetingId)
        let root = linkRoot + "/"
        let payload = WebhookPayload(
            id: due.id, event: due.event, createdAt: StoreClock.iso8601(due.createdAt),
            meeting: .init(
                id: due.meetingId, title: meeting?.title ?? "", status: due.meetingStatus,
                failureReason: due.meetingStatus == "failed" ? meeting?.failureReason : nil, duration: meeting?.duration),
            links: .init(
                page: root + "meetings/\(due.meetingId)", api: root + "api/v1/meetings/\(due.meetingId)",
                transcript: root + "api/v1/meetings/\(due.meetingId)/export?format=txt"))
        let encoder = ParleyJSON.encoder()
        // Sorted: the body is what receivers verify the signature over; keep it stable.
        encoder.outputFormatting.insert(.sortedKeys)
        return String(decoding: try encoder.encode(payload), as: UTF8.self)
    }
}
