import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyCore
import ParleyQueue
import ParleyStore
import ParleyAPI

/// OpenAI-compatible `POST /v1/audio/transcriptions`, so existing OpenAI clients and tools
/// can use Parley. The audio becomes a meeting like any upload and goes through the same
/// queue; the request waits for it. The same bytes twice reuse the first result.
struct OpenAITranscriptionRoute: Sendable {
    let dependencies: ServerDependencies
    /// The multipart body streams to disk, so this bounds disk per request, not memory.
    /// OpenAI itself caps files at 25 MB; larger recordings belong in tus uploads.
    static let maximumBody = 100 << 20
    static let formats: Set<String> = ["json", "text", "srt", "vtt", "verbose_json", "diarized_json"]

    func register(on authenticated: RouterGroup<ParleyRequestContext>) {
        authenticated.post("/v1/audio/transcriptions") { request, context in
            // Each request holds its slot until its transcript is ready: the queue does the
            // model work one meeting at a time anyway, and waiting requests cost a connection.
            try await dependencies.connections.holding(.transcriptions, user: try context.requireViewer().userId) {
                try await transcribe(request, context: context)
            }
        }
    }

    func transcribe(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        guard let boundary = MultipartUpload.boundary(from: request.headers[.contentType]) else {
            throw APIFailure.badRequest("send multipart/form-data with a `file` part")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maximumBody {
            throw APIFailure(.contentTooLarge, code: .tooLarge, "the limit here is \(Self.maximumBody >> 20) MB; use tus uploads")
        }
        let received = dependencies.storage.partialFile(upload: "openai-\(UUID().uuidString.lowercased())")
        defer { try? FileManager.default.removeItem(at: received) }
        let form: MultipartUpload
        do {
            form = try await MultipartUpload.receive(request.body, boundary: boundary, into: received, limit: Self.maximumBody)
        } catch is MultipartUpload.TooLarge {
            throw APIFailure(.contentTooLarge, code: .tooLarge, "the limit here is \(Self.maximumBody >> 20) MB; use tus uploads")
        } catch let malformed as MultipartUpload.Malformed {
            throw APIFailure.badRequest("malformed multipart body: \(malformed)")
        }
        guard let file = form.file, file.size > 0 else { throw APIFailure.badRequest("the `file` part is missing or empty") }
        let format = form.field("response_format") ?? "json"
        guard Self.formats.contains(format) else {
            throw APIFailure.badRequest("response_format must be one of \(Self.formats.sorted().joined(separator: ", "))")
        }
        let granularities = Set((form.fields["timestamp_granularities[]"] ?? []) + (form.fields["timestamp_granularities"] ?? []))
        let model = try await requestedModel(form.field("model"))
        let asked = try Self.requestedTranscription(language: form.field("language"), prompt: form.field("prompt"))
        let meeting = try await intake(file, viewer: viewer, model: model, asked: asked)
        let finished = try await waitUntilProcessed(meeting.id)
        guard finished.status == .synced,
            let processed = try await TranscriptRepository(database: dependencies.database).current(meetingId: meeting.id)
        else {
            throw APIFailure(.unprocessableContent, code: .transcriptionFailed, finished.failureReason ?? "processing failed")
        }
        return try OpenAIResponse.render(processed.transcript, format: format, words: granularities.contains("word"))
    }

    /// The model a request names, nil for the server's default (`whisper-1`, OpenAI's
    /// only name, means that too). A name that neither this server's engine nor a connected
    /// worker offers is refused at once instead of waiting for a worker that may never come.
    private func requestedModel(_ name: String?) async throws -> String? {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name != "whisper-1" else { return nil }
        let offered = await dependencies.processing.offeredModels()
        guard offered.contains(name) else {
            let known = (["whisper-1"] + offered.sorted()).joined(separator: ", ")
            throw APIFailure.badRequest(
                "no engine here or connected worker offers the model \(name.prefix(100)); try one of: \(known)",
                code: .unknownModel)
        }
        return name
    }

    /// `language` (an ISO 639-1/3 code) and `prompt` as a request gave them; nil when absent.
    static func requestedTranscription(language: String?, prompt: String?) throws -> (language: String?, prompt: String?) {
        let language = language?.trimmingCharacters(in: .whitespaces).lowercased()
        if let language, !language.isEmpty,
            !((2...3).contains(language.count) && language.allSatisfy { $0.isASCII && $0.isLetter })
        {
            throw APIFailure.badRequest("language must be an ISO 639-1 code such as en or de")
        }
        let prompt = prompt?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let prompt, prompt.count > 2000 { throw APIFailure.badRequest("prompt must be at most 2000 characters") }
        return (language.flatMap { $0.isEmpty ? nil : $0 }, prompt.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The meeting for these bytes: the existing one (transcribed again when another model,
    /// language or prompt is asked for than it was transcribed with), or a new one queued.
    private func intake(
        _ file: MultipartUpload.File, viewer: Viewer, model: String?, asked: (language: String?, prompt: String?)
    ) async throws -> MeetingRecord {
        if let existing = try await dependencies.meetings.owned(by: viewer, sha256: file.sha256) {
            let transcript = try await TranscriptRepository(database: dependencies.database).current(meetingId: existing.id)
            let before = try await dependencies.jobs.requestedTranscription(meetingId: existing.id)
            let changed =
                (model != nil && transcript?.transcript.model != model)
                || (asked.language != nil && asked.language != before.language) || (asked.prompt != nil && asked.prompt != before.prompt)
            // A meeting still in the queue keeps what it was asked for first.
            if existing.status == .failed || (changed && existing.status == .synced) {
                if let model { try await dependencies.processing.requestModel(model, meetingId: existing.id) }
                if asked.language != nil || asked.prompt != nil {
                    try await dependencies.processing.requestTranscription(
                        language: asked.language ?? before.language, prompt: asked.prompt ?? before.prompt, meetingId: existing.id)
                }
                _ = try await dependencies.processing.process(
                    meetingId: existing.id, from: existing.status == .synced ? .transcribe : .normalize)
            }
            return existing
        }
        let intake = MeetingIntake(dependencies: dependencies)
        try await intake.requireQuota(viewer, adding: file.size)
        guard try await dependencies.processing.hasCapacity() else {
            throw APIFailure(
                .tooManyRequests, code: .queueFull, "the processing queue is full; retry later",
                headers: [.retryAfter: "30"])
        }
        let name = URL(fileURLWithPath: file.filename).lastPathComponent
        let meeting = intake.newMeeting(
            ownerId: viewer.userId, clientId: nil, workspaceId: nil, isPersonal: true, title: name.isEmpty ? "Transcription" : name,
            recordedAt: nil, sha256: file.sha256, size: file.size, originalName: name, contentType: file.contentType)
        try dependencies.storage.adopt(file.url, as: meeting.audioPath)
        let registered = try await intake.register(meeting)
        // Before its transcribe job exists (normalize runs first), so that job carries the model.
        if let model { try await dependencies.processing.requestModel(model, meetingId: registered.id) }
        if asked.language != nil || asked.prompt != nil {
            try await dependencies.processing.requestTranscription(language: asked.language, prompt: asked.prompt, meetingId: registered.id)
        }
        return registered
    }

    private func waitUntilProcessed(_ id: String) async throws -> MeetingRecord {
        let deadline = ContinuousClock.now + .seconds(3600)
        while ContinuousClock.now < deadline {
            guard let meeting = try await dependencies.meetings.meeting(id: id) else { throw APIFailure.notFound() }
            if meeting.status == .synced || meeting.status == .failed { return meeting }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw APIFailure(.gatewayTimeout, code: .timeout, "transcription did not finish within an hour")
    }
}
