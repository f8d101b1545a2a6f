/// What a webhook reports. The raw values are the `event` field of the JSON body and the
/// `Parley-Event` header.
public enum WebhookEvent: String, Codable, Sendable, CaseIterable {
    /// Every stage finished: transcript, speakers, summary, search.
    case processed = "meeting.processed"
    /// Processing failed for good (or was cancelled); `failure_reason` says why.
    case failed = "meeting.failed"
    /// Someone corrected the transcript: words, speakers, names. Edits in quick succession
    /// share one delivery while it waits.
    case corrected = "meeting.corrected"
}

/// A webhook as `GET /api/v1/webhooks` shows it: never its secret, which is shown once,
/// when it is made (`WebhookCreated`).
public struct Webhook: Codable, Sendable, Equatable {
    public var id: String
    public var url: String
    /// nil: the meetings its creator owns; otherwise every meeting shared with this workspace.
    public var workspaceId: String?
    public var events: [WebhookEvent]
    /// ISO 8601.
    public var createdAt: String

    public init(id: String, url: String, workspaceId: String?, events: [WebhookEvent], createdAt: String) {
        self.id = id
        self.url = url
        self.workspaceId = workspaceId
        self.events = events
        self.createdAt = createdAt
    }
}

/// `POST /api/v1/webhooks`. Events default to all of them.
public struct WebhookRequest: Codable, Sendable, Equatable {
    public var url: String
    public var workspaceId: String?
    public var events: [WebhookEvent]?

    public init(url: String, workspaceId: String? = nil, events: [WebhookEvent]? = nil) {
        self.url = url
        self.workspaceId = workspaceId
        self.events = events
    }
}

/// The answer to `POST /api/v1/webhooks`: the only time the signing secret is shown.
public struct WebhookCreated: Codable, Sendable, Equatable {
    public var webhook: Webhook
    /// HMAC-SHA256 key: `Parley-Signature: t=<unix time>,v1=<hex of HMAC(secret, "<t>.<body>")>`.
    public var secret: String

    public init(webhook: Webhook, secret: String) {
        self.webhook = webhook
        self.secret = secret
    }
}

/// One entry of a webhook's delivery log (`GET /api/v1/webhooks/{id}/deliveries`).
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Not sent yet, or waiting for its next attempt (`next_attempt_at`).
        case pending
        /// A 2xx answer.
        case delivered
        /// Out of attempts; `last_error` says why.
        case failed
    }

    public var id: String
    public var event: WebhookEvent
    public var meetingId: String
    public var state: State
    public var attempts: Int
    /// The HTTP status of the last answer, if one came.
    public var lastStatus: Int?
    public var lastError: String?
    /// ISO 8601; set while pending.
    public var nextAttemptAt: String?
    public var createdAt: String
    public var finishedAt: String?

    public init(
        id: String, event: WebhookEvent, meetingId: String, state: State, attempts: Int, lastStatus: Int?,
        lastError: String?, nextAttemptAt: String?, createdAt: String, finishedAt: String?
    ) {
        self.id = id
        self.event = event
        self.meetingId = meetingId
        self.state = state
        self.attempts = attempts
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// The JSON body Parley POSTs to a webhook.
public struct WebhookPayload: Codable, Sendable, Equatable {
    public struct Meeting: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        /// The meeting's status when the event happened: synced, failed, …
        public var status: String
        public var failureReason: String?
        public var duration: Double?

        public init(id: String, title: String, status: String, failureReason: String?, duration: Double?) {
            self.id = id
            self.title = title
            self.status = status
            self.failureReason = failureReason
            self.duration = duration
        }
    }

    /// Where to go next; absolute when the server knows its public address
    /// (`PARLEY_PUBLIC_URL`), otherwise paths on it.
    public struct Links: Codable, Sendable, Equatable {
        public var page: String
        public var api: String
        public var transcript: String

        public init(page: String, api: String, transcript: String) {
            self.page = page
            self.api = api
            self.transcript = transcript
        }
    }

    /// The delivery id, the same on every retry (receivers use it to ignore repeats).
    public var id: String
    public var event: WebhookEvent
    public var createdAt: String
    public var meeting: Meeting
    public var links: Links

    public init(id: String, event: WebhookEvent, createdAt: String, meeting: Meeting, links: Links) {
        self.id = id
        self.event = event
        self.createdAt = createdAt
        self.meeting = meeting
        self.links = links
    }
}
