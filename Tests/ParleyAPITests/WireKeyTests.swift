import Foundation
import ParleyAPI
import ParleyCore
import Testing

/// Pins the JSON keys of the wire types as `ParleyJSON` writes them, so moving a type from
/// hand-written `CodingKeys` to the snake_case strategy cannot change what clients, the
/// browser and stored rows see. Every optional is set, so every key shows.
@Suite struct WireKeyTests {
    func object(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: ParleyJSON.encoder().encode(value)) as? [String: Any])
    }

    func keys(_ value: some Encodable) throws -> Set<String> { Set(try object(value).keys) }

    func keys(_ object: Any?) throws -> Set<String> { Set(try #require(object as? [String: Any]).keys) }

    func first(_ object: Any?) throws -> Any? { try #require(object as? [Any]).first }

    /// Decoding with the decoder each type's readers use gives back the value.
    func roundTrips<T: Codable & Equatable>(_ value: T, with decoder: JSONDecoder = ParleyJSON.decoder()) throws {
        #expect(try decoder.decode(T.self, from: ParleyJSON.encoder().encode(value)) == value)
    }

    static let summary = MeetingSummary(
        id: "m1", clientID: "c1", ownerID: "u1", title: "T", recordedAt: "2026-01-01T00:00:00Z",
        createdAt: "2026-01-01T00:00:00Z", duration: 1, status: .synced, stage: .transcribe, progress: 1,
        failureReason: "none", isPersonal: true, workspaceID: "w1", sha256: "abc", size: 3,
        speakers: [.init(id: "speaker_1", name: "Ada", color: "#000000", talkingTimePercentage: 100)],
        summaryPreview: "p")

    static let transcript = Transcript(
        duration: 1, language: "en", model: "tiny.en",
        segments: [
            TranscriptionSegment(
                start: 0, end: 1, text: "Hi", speakerLabel: "Speaker 1", confidence: 1,
                words: [TranscriptWord(start: 0, end: 1, word: "Hi", probability: 1)])
        ],
        speakers: [Speaker(id: "speaker_1", displayName: "Speaker 1", speakerColor: "#000000")],
        speakerTurns: [SpeakerTurn(start: 0, end: 1, speakerID: "speaker_1")], profile: "fast")

    @Test func meetings() throws {
        #expect(
            try keys(Self.summary) == [
                "id", "client_id", "owner_id", "title", "recorded_at", "created_at", "duration", "status", "stage",
                "progress", "failure_reason", "is_personal", "workspace_id", "sha256", "size", "speakers", "summary_preview",
            ])
        #expect(try keys(first(object(Self.summary)["speakers"])) == ["id", "name", "color", "talking_time_percentage"])
        #expect(try keys(Page(items: [Self.summary], nextCursor: "x")) == ["items", "next_cursor"])
        #expect(try keys(MeetingCheck(exists: true, meeting: Self.summary)) == ["exists", "meeting"])
        #expect(
            try keys(SyncedMeeting(id: "m", clientID: "c", sha256: "s", status: .synced))
                == ["id", "client_id", "sha256", "status"])
        try roundTrips(Page(items: [Self.summary], nextCursor: "x"), with: JSONDecoder())
    }

    @Test func meetingDetailAndTranscript() throws {
        let insights = MeetingInsights(
            summary: [.init(speakerID: "Speaker 1", text: "Hi", start: 0, end: 1)], keyTopics: ["t"],
            speakers: [
                .init(
                    speakerID: "Speaker 1", talkingTimePercentage: 100, keyTopics: ["t"], sentiment: "neutral",
                    sentimentScore: 0, actionItems: [])
            ],
            actionItems: [.init(owner: "Speaker 1", text: "Do", start: 0, end: 1, kind: "task", due: "mon", assignee: "Ada")],
            source: "offline", fallbackReason: "r")
        let detail = try object(MeetingDetail(meeting: Self.summary, transcript: Self.transcript, insights: insights))
        #expect(Set(detail.keys) == ["meeting", "transcript", "insights", "summary_text"])
        let transcript = try #require(detail["transcript"] as? [String: Any])
        #expect(Set(transcript.keys) == ["duration", "language", "model", "profile", "segments", "speakers", "speaker_turns"])
        #expect(try keys(first(transcript["segments"])) == ["start", "end", "text", "speaker_id", "confidence", "words"])
        #expect(try keys(first(transcript["speaker_turns"])) == ["start", "end", "speaker_id"])
        #expect(
            try keys(first(transcript["speakers"])) == [
                "id", "display_name", "custom_name", "total_duration", "segment_count", "talking_time_percentage",
                "speaker_color", "word_count", "words_per_minute",
            ])
        let encodedInsights = try #require(detail["insights"] as? [String: Any])
        #expect(
            Set(encodedInsights.keys) == [
                "summary", "key_topics", "speakers", "action_items", "decisions", "questions", "source", "fallback_reason",
            ])
        #expect(
            try keys(first(encodedInsights["speakers"])) == [
                "speaker_id", "talking_time_percentage", "key_topics", "sentiment", "sentiment_score", "action_items",
            ])
        // The client reads details (ParleyCore values inside) with a plain decoder.
        try roundTrips(MeetingDetail(meeting: Self.summary, transcript: Self.transcript, insights: insights), with: JSONDecoder())
    }

    @Test func processing() throws {
        let status = ProcessingStatus(
            meetingID: "m", status: .processing, stage: .transcribe, progress: 0.5,
            stages: [
                .init(
                    stage: .transcribe, state: .running, progress: 0.5, attempts: 1, lastError: "e", worker: "w",
                    model: "tiny.en")
            ],
            queuePosition: 0, attempts: 1, lastError: "e", failureReason: "f", etaSeconds: 3, waitingReason: "w")
        #expect(
            try keys(status) == [
                "meeting_id", "status", "stage", "progress", "stages", "queue_position", "attempts", "last_error",
                "failure_reason", "eta_seconds", "waiting_reason",
            ])
        #expect(
            try keys(first(object(status)["stages"])) == [
                "stage", "state", "progress", "attempts", "last_error", "worker", "model",
            ])
        #expect(
            try keys(
                AudioMetadata(
                    duration: 1, codec: "aac", sampleRate: 16000, channels: 1, size: 1, sha256: "s",
                    contentType: "audio/mp4", playbackAvailable: true))
                == ["duration", "codec", "sample_rate", "channels", "size", "sha256", "content_type", "playback_available"])
        let event = ProcessingEvent(
            meetingId: "m", ownerId: "u", workspaceId: "w", isPersonal: false, status: .processing,
            stage: .diarize, progress: 0.1, failureReason: "f")
        #expect(
            try keys(event) == [
                "meeting_id", "owner_id", "workspace_id", "is_personal", "status", "stage", "progress", "failure_reason",
            ])
        try roundTrips(status, with: JSONDecoder())
    }

    @Test func accountsAndWebhooks() throws {
        let token = APIToken(id: "t", label: "l", createdAt: "c", sessions: 1, current: true)
        #expect(try keys(token) == ["id", "label", "created_at", "sessions", "current"])
        #expect(try keys(Vocabulary(terms: ["a"], updatedAt: "u")) == ["terms", "updated_at"])
        let webhook = Webhook(id: "h", url: "https://x/y", workspaceId: "w", events: [.processed], createdAt: "c")
        #expect(try keys(webhook) == ["id", "url", "workspace_id", "events", "created_at"])
        #expect(try keys(WebhookRequest(url: "u", workspaceId: "w", events: [.failed])) == ["url", "workspace_id", "events"])
        #expect(try keys(WebhookCreated(webhook: webhook, secret: "s")) == ["webhook", "secret"])
        let delivery = WebhookDelivery(
            id: "d", event: .corrected, meetingId: "m", state: .failed, attempts: 2,
            lastStatus: 500, lastError: "e", nextAttemptAt: "n", createdAt: "c", finishedAt: "f")
        #expect(
            try keys(delivery) == [
                "id", "event", "meeting_id", "state", "attempts", "last_status", "last_error", "next_attempt_at", "created_at",
                "finished_at",
            ])
        let payload = WebhookPayload(
            id: "d", event: .failed, createdAt: "c",
            meeting: .init(id: "m", title: "t", status: "failed", failureReason: "f", duration: 1),
            links: .init(page: "/p", api: "/a", transcript: "/t"))
        #expect(try keys(payload) == ["id", "event", "created_at", "meeting", "links"])
        #expect(try keys(object(payload)["meeting"]) == ["id", "title", "status", "failure_reason", "duration"])
        // Links keep their slashes unescaped (receivers compare them as text).
        #expect(String(decoding: try ParleyJSON.encoder().encode(payload), as: UTF8.self).contains("\"page\":\"/p\""))
        for value in [token] { try roundTrips(value) }
        try roundTrips(Vocabulary(terms: ["a"], updatedAt: "u"))
        try roundTrips(webhook)
        try roundTrips(delivery)
        try roundTrips(payload)
        try roundTrips(WebhookRequest(url: "u", workspaceId: "w", events: [.failed]))
    }

    @Test func workers() throws {
        let claim = WorkerClaim(workerId: "w", name: "n", stages: [.transcribe], models: ["m"], device: "cpu", waitSeconds: 5)
        #expect(try keys(claim) == ["worker_id", "name", "stages", "models", "device", "wait_seconds"])
        let job = WorkerJob(
            jobId: 1, meetingId: "m", stage: .transcribe, lease: "l", leaseSeconds: 30, heartbeatSeconds: 5, attempt: 1,
            model: "tiny.en", language: "en", beamSize: 5, profile: "fast", vocabulary: ["v"], prompt: "p",
            audioSha256: "s", audioSize: 1, duration: 1)
        #expect(
            try keys(job) == [
                "job_id", "meeting_id", "stage", "lease", "lease_seconds", "heartbeat_seconds", "attempt", "model", "language",
                "beam_size", "profile", "vocabulary", "prompt", "audio_sha256", "audio_size", "duration",
            ])
        let info = WorkerInfo(
            workerId: "w", name: "n", user: "u", stages: [.diarize], models: [], device: "cpu",
            currentJob: .init(jobId: 1, meetingId: "m", stage: .diarize, progress: 0.5), lastSeen: "l", jobsCompleted: 2)
        #expect(
            try keys(info) == [
                "worker_id", "name", "user", "stages", "models", "device", "current_job", "last_seen", "jobs_completed",
            ])
        #expect(try keys(object(info)["current_job"]) == ["job_id", "meeting_id", "stage", "progress"])
        #expect(try keys(WorkerReport.Receipt(status: "leased", leaseSeconds: 30)) == ["status", "lease_seconds"])
        #expect(try keys(WorkerReport.Heartbeat(lease: "l", progress: 1)) == ["lease", "progress"])
        #expect(try keys(WorkerReport.Failure(lease: "l", error: "e", retryable: true)) == ["lease", "error", "retryable"])
        try roundTrips(claim)
        try roundTrips(job)
        try roundTrips(WorkerReport.Receipt(status: "leased", leaseSeconds: 30))
        try roundTrips(WorkerReport.Heartbeat(lease: "l", progress: 1))
    }

    @Test func search() throws {
        let hit = SearchHit(
            meetingId: "m", meetingTitle: "t", segmentId: 1, kind: "transcript", start: 0, end: 1,
            speakerId: "speaker_1", speakerName: "Ada", snippet: "<mark>hi</mark>", score: 1)
        #expect(
            try keys(hit) == [
                "meeting_id", "meeting_title", "segment_id", "kind", "start", "end", "speaker_id", "speaker_name", "snippet", "score",
            ])
        #expect(try keys(SearchResults(query: "q", mode: "keyword", hits: [hit])) == ["query", "mode", "hits"])
        try roundTrips(SearchResults(query: "q", mode: "keyword", hits: [hit]), with: JSONDecoder())
    }

    @Test func errors() throws {
        let body = APIErrorBody(code: APIErrorCode.notFound.rawValue, message: "no meeting /x")
        #expect(try keys(body) == ["error"])
        #expect(try keys(object(body)["error"]) == ["code", "message"])
        #expect(String(decoding: try ParleyJSON.encoder().encode(body), as: UTF8.self).contains(#""no meeting /x""#))
        try roundTrips(body)
    }
}
