import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import ParleyAPI
import ParleyCore
import ParleyQueue
import ParleyStore
import CoreMetrics

/// `POST /api/v1/meetings` with the audio as the raw body: one request for small files
/// and scripts (`curl --data-binary @file`). Metadata comes as query items.
struct DirectUploadRoute: Sendable {
    let dependencies: ServerDependencies

    func register(on meetings: RouterGroup<ParleyRequestContext>) {
        meetings.post { request, context in try await upload(request, context: context) }
    }

    func upload(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let query = FormQuery(request.uri.query)
        let declared = query.get("sha256")?.lowercased()
        if let declared, !MeetingIdentifier.isSHA256(declared) { throw APIFailure.badRequest("sha256 must be 64 hex digits") }
        let clientId = query.get("client_id")
        if let clientId, !MeetingIdentifier.isValid(clientId) {
            throw APIFailure.badRequest("client_id must be 1–128 letters, digits, '.', '_' or '-'", code: .invalidID)
        }
        let fields = try UploadFields(
            sha256: declared, clientId: clientId, title: query.get("title") ?? query.get("filename") ?? "Untitled recording",
            recordedAt: query.get("recorded_at"), scope: query.get("scope"), workspace: query.get("workspace"),
            filename: query.get("filename"), contentType: request.headers[.contentType])
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > dependencies.configuration.maxUploadBytes {
            throw APIFailure(.contentTooLarge, code: .tooLarge, "the limit is \(dependencies.configuration.maxUploadBytes) bytes")
        }
        let intake = MeetingIntake(dependencies: dependencies)
        // Known already: answer before reading a byte of the body.
        if let existing = try await dependencies.meetings.owned(by: viewer, clientId: clientId, sha256: declared) {
            dependencies.metrics.duplicate(savedBytes: existing.size)
            return try JSONResponse.make(MeetingCheck(exists: true, meeting: existing.summary), status: .ok)
        }
        let workspaceId = try await intake.workspaceId(fields.workspace, viewer: viewer)
        try await intake.requireQuota(viewer, adding: request.headers[.contentLength].flatMap(Int64.init) ?? 0)
        try await intake.requireCapacity()
        let temporary = dependencies.storage.partialFile(upload: "direct-\(UUID().uuidString.lowercased())")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let (size, sha) = try await dependencies.connections.holding(.upload, user: viewer.userId) {
            try await receive(request, into: temporary)
        }
        guard size > 0 else { throw APIFailure.badRequest("the file is empty", code: .emptyFile) }
        try await intake.requireQuota(viewer, adding: size)  // a chunked body declared no length
        if let declared, declared != sha {
            throw APIFailure.badRequest("the body hashes to \(sha), not the declared sha256", code: .checksumMismatch)
        }
        let meeting = intake.newMeeting(
            ownerId: viewer.userId, clientId: clientId, workspaceId: workspaceId, isPersonal: fields.isPersonal,
            title: fields.title, recordedAt: fields.recordedAt, sha256: sha, size: size, originalName: fields.filename,
            contentType: fields.contentType)
        try dependencies.storage.adopt(temporary, as: meeting.audioPath)
        let settled = try await intake.register(meeting)
        let created = settled.id == meeting.id
        return try JSONResponse.make(MeetingCheck(exists: !created, meeting: settled.summary), status: created ? .created : .ok)
    }

    /// Streams the body to disk, hashing as it goes; refuses bodies over the limit.
    private func receive(_ request: Request, into file: URL) async throws -> (Int64, String) {
        DataLayout.createPrivateFile(at: file)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        for try await chunk in request.body {
            await Task.yield()  // never hold a cooperative thread for a whole body (see MultipartUpload)
            size += Int64(chunk.readableBytes)
            guard size <= dependencies.configuration.maxUploadBytes else {
                throw APIFailure(.contentTooLarge, code: .tooLarge, "the limit is \(dependencies.configuration.maxUploadBytes) bytes")
            }
            hasher.update(data: Data(chunk.readableBytesView))
            try handle.write(contentsOf: chunk.readableBytesView)
            dependencies.metrics.uploadBytes.increment(by: Int64(chunk.readableBytes))
        }
        try handle.synchronize()
        return (size, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}
