import Foundation
import HTTPTypes
import Hummingbird
import ParleyAPI
import ParleyStore

/// Audio back to the user: streaming with full Range support (seek anywhere without
/// downloading the file), and the facts a player or a syncing client needs.
struct AudioRoutes: Sendable {
    let dependencies: ServerDependencies
    let fileIO = FileIO()

    func register(on meetings: RouterGroup<ParleyRequestContext>) {
        meetings.get("{id}/audio/stream") { request, context in try await stream(request, context: context) }
        meetings.head("{id}/audio/stream") { request, context in try await stream(request, context: context) }
        meetings.get("{id}/audio/metadata") { _, context in
            let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies)
            return try JSONResponse.make(
                AudioMetadata(
                    duration: meeting.duration, codec: meeting.codec, sampleRate: meeting.sampleRate,
                    channels: meeting.channels, size: meeting.size, sha256: meeting.sha256,
                    contentType: AudioMediaType.of(file: dependencies.storage.url(relative: meeting.audioPath)),
                    playbackAvailable: meeting.playbackPath != nil))
        }
    }

    /// The browser-safe playback copy when there is one (`?variant=original` for the
    /// uploaded bytes, as a download). The type is Parley's own finding (see
    /// `AudioMediaType`), never what the uploader claimed.
    func stream(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies)
        let wantsOriginal = request.uri.queryParameters.get("variant") == "original"
        let relative = wantsOriginal ? meeting.audioPath : meeting.playbackPath ?? meeting.audioPath
        let file = dependencies.storage.url(relative: relative)
        let size = dependencies.storage.size(of: file)
        guard FileManager.default.fileExists(atPath: file.path) else { throw APIFailure.notFound("audio") }
        let isPlayback = relative == meeting.playbackPath
        let etag = isPlayback ? "\"pb-\(meeting.sha256.prefix(16))-\(size)\"" : "\"\(meeting.sha256)\""
        var headers: HTTPFields = [
            .cacheControl: "private, max-age=3600", .contentType: isPlayback ? "audio/mpeg" : AudioMediaType.of(file: file),
        ]
        if wantsOriginal {
            let name = URL(fileURLWithPath: relative).lastPathComponent
            headers[.contentDisposition] = "attachment; filename=\"\(meeting.id)-\(name)\""
        }
        return try await RangedFileResponse.make(
            file: file, size: size, etag: etag, headers: headers, request: request, context: context, fileIO: fileIO)
    }
}
