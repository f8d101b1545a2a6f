import Foundation
import HTTPTypes
import Hummingbird
import ParleyCore
import Metrics
import ParleyQueue
import ParleyStore
import ParleyAPI

/// Resumable uploads, tus 1.0 (core, creation, creation-with-upload, termination) at
/// `/api/v1/uploads`. Bytes stream straight to `uploads/<id>.part`; the server's memory
/// does not grow with the file.
struct UploadRoutes: Sendable {
    let dependencies: ServerDependencies

    static let offsetContentType = "application/offset+octet-stream"

    func register(on router: Router<ParleyRequestContext>) {
        router.on("/api/v1/uploads", method: .options) { _, _ in
            Response(
                status: .noContent,
                headers: [
                    .tusVersion: TusProtocolMiddleware.version,
                    .tusExtension: "creation,creation-with-upload,termination",
                    .tusMaxSize: String(dependencies.configuration.maxUploadBytes),
                ])
        }
        // The tus rules wrap authentication, so a 401 says Tus-Resumable too (tus core: every
        // response but OPTIONS's).
        let tus = router.group("/api/v1/uploads").add(middleware: TusProtocolMiddleware())
            .add(middleware: AuthenticationMiddleware(accounts: dependencies.accounts, sessions: dependencies.sessions))
        tus.post { request, context in try await create(request, context: context) }
        tus.head("{id}") { request, context in try await status(request, context: context) }
        tus.patch("{id}") { request, context in try await append(request, context: context) }
        tus.delete("{id}") { request, context in try await terminate(request, context: context) }
    }

    func create(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        if request.headers[.uploadDeferLength] != nil {
            throw APIFailure.badRequest("Upload-Defer-Length is not supported: send Upload-Length")
        }
        guard let lengthText = request.headers[.uploadLength], let length = Int64(lengthText), length >= 0 else {
            throw APIFailure.badRequest("Upload-Length must be a non-negative integer")
        }
        guard length <= dependencies.configuration.maxUploadBytes else {
            throw APIFailure(
                .contentTooLarge, code: .tooLarge,
                "the file is \(length) bytes; the limit is \(dependencies.configuration.maxUploadBytes)")
        }
        guard length > 0 else { throw APIFailure.badRequest("the file is empty", code: .emptyFile) }
        let fields = try UploadMetadata(header: request.headers[.uploadMetadata]).upload(defaultTitle: "Untitled recording")
        let workspaceId = try await MeetingIntake(dependencies: dependencies).workspaceId(fields.workspace, viewer: viewer)
        let record = UploadRecord(
            id: UUID().uuidString.lowercased(), ownerId: viewer.userId, length: length, offset: 0, sha256: fields.sha256 ?? "",
            clientId: fields.clientId, title: fields.title, recordedAt: fields.recordedAt, workspaceId: workspaceId,
            isPersonal: fields.isPersonal, originalName: fields.filename, contentType: fields.contentType,
            metadata: request.headers[.uploadMetadata] ?? "", createdAt: StoreClock.now())
        let outcome: UploadRepository.CreateOutcome
        do {
            outcome = try await dependencies.uploads.create(record, quota: dependencies.configuration.quota)
        } catch let refusal as StorageQuota.Refusal {
            throw APIFailure.refused(refusal)
        }
        if case .existingMeeting(let meeting) = outcome {
            // Already held: point the client at a finished upload, so a standard tus client
            // sends 0 bytes, and say which meeting it is.
            dependencies.metrics.duplicate(savedBytes: meeting.size)
            return Response(
                status: .created,
                headers: [
                    .location: dependencies.configuration.basePath + "/api/v1/uploads/\(meeting.id)", .uploadOffset: String(meeting.size),
                    .parleyMeetingID: meeting.id, .parleyDuplicate: "true",
                ])
        }
        try await MeetingIntake(dependencies: dependencies).requireCapacity()
        var upload: UploadRecord
        switch outcome {
        case .created(let created): upload = created
        case .resume(let pending): upload = pending
        case .existingMeeting: fatalError("handled above")
        }
        // The client resolves Location against the address it used, so behind a proxy that
        // strips a path prefix the prefix must be in it.
        var headers: HTTPFields = [.location: dependencies.configuration.basePath + "/api/v1/uploads/\(upload.id)"]
        if case .created = outcome, request.headers[.contentType] == Self.offsetContentType {
            let written = try await write(request, to: upload, at: 0)
            upload.offset = written.offset
            if let meeting = written.meeting { headers[.parleyMeetingID] = meeting.id }
        } else {
            upload.offset = dependencies.storage.size(of: dependencies.storage.partialFile(upload: upload.id))
        }
        headers[.uploadOffset] = String(upload.offset)
        return Response(status: .created, headers: headers)
    }

    func status(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let id = try context.parameters.require("id")
        var headers: HTTPFields = [.cacheControl: "no-store"]
        if let upload = try await dependencies.uploads.upload(id: id, ownerId: viewer.userId) {
            headers[.uploadOffset] = String(dependencies.storage.size(of: dependencies.storage.partialFile(upload: id)))
            headers[.uploadLength] = String(upload.length)
            if !upload.metadata.isEmpty { headers[.uploadMetadata] = upload.metadata }
        } else if let meeting = try await finishedMeeting(upload: id, viewer: viewer) {
            headers[.uploadOffset] = String(meeting.size)
            headers[.uploadLength] = String(meeting.size)
            headers[.parleyMeetingID] = meeting.id
        } else {
            throw APIFailure.notFound("upload")
        }
        return Response(status: .ok, headers: headers)
    }

    func append(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let id = try context.parameters.require("id")
        guard request.headers[.contentType] == Self.offsetContentType else {
            throw APIFailure(.unsupportedMediaType, code: .wrongContentType, "PATCH needs Content-Type: \(Self.offsetContentType)")
        }
        guard let offsetText = request.headers[.uploadOffset], let offset = Int64(offsetText), offset >= 0 else {
            throw APIFailure.badRequest("Upload-Offset must be a non-negative integer")
        }
        guard let upload = try await dependencies.uploads.upload(id: id, ownerId: viewer.userId) else {
            // A duplicate's Location names the meeting. Standard clients (tuspy, tus-js-client)
            // PATCH from 0 right after creation without a HEAD; the bytes are held already,
            // so acknowledge the whole file instead of a 404 that fails their upload.
            if let meeting = try await finishedMeeting(upload: id, viewer: viewer), offset <= meeting.size {
                return Response(status: .noContent, headers: [.uploadOffset: String(meeting.size), .parleyMeetingID: meeting.id])
            }
            throw APIFailure.notFound("upload")
        }
        let written = try await write(request, to: upload, at: offset)
        var headers: HTTPFields = [.uploadOffset: String(written.offset)]
        if let meeting = written.meeting { headers[.parleyMeetingID] = meeting.id }
        return Response(status: .noContent, headers: headers)
    }

    /// The meeting a finished upload became: the one with its id, or the owner's existing
    /// meeting its bytes turned out to duplicate.
    func finishedMeeting(upload id: String, viewer: Viewer) async throws -> MeetingRecord? {
        if let meeting = try await dependencies.meetings.owned(by: viewer, meetingId: id) { return meeting }
        guard let meetingId = try await dependencies.uploads.outcome(uploadId: id, ownerId: viewer.userId) else { return nil }
        return try await dependencies.meetings.owned(by: viewer, meetingId: meetingId)
    }

    func terminate(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let id = try context.parameters.require("id")
        guard try await dependencies.uploads.upload(id: id, ownerId: viewer.userId) != nil else {
            throw APIFailure.notFound("upload")
        }
        try await withUploadLock(id) {
            try await dependencies.uploads.delete(id: id)
            try? FileManager.default.removeItem(at: dependencies.storage.partialFile(upload: id))
            await dependencies.uploadLocks.forget(id)
        }
        return Response(status: .noContent)
    }
}
