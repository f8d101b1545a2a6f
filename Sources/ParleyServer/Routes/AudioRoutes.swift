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
            return try JSONResponse.make(AudioMetadata(
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
            .acceptRanges: "bytes", .eTag: etag, .cacheControl: "private, max-age=3600",
            .contentType: isPlayback ? "audio/mpeg" : AudioMediaType.of(file: file),
        ]
        if wantsOriginal {
            let name = URL(fileURLWithPath: relative).lastPathComponent
            headers[.contentDisposition] = "attachment; filename=\"\(meeting.id)-\(name)\""
        }
        var range = ByteRange.parse(request.headers[.range], size: size)
        // If-Range: only honour Range when the client's copy is this exact representation.
        if let condition = request.headers[.ifRange], condition != etag { range = .full }
        let isHead = request.method == .head
        switch range {
        case .unsatisfiable:
            throw APIFailure(.rangeNotSatisfiable, code: .rangeNotSatisfiable, "the range is outside the \(size) bytes",
                             headers: [.contentRange: "bytes */\(size)", .acceptRanges: "bytes"])
        case .full:
            headers[.contentLength] = String(size)
            let body = isHead || size == 0 ? ResponseBody() : try await fileIO.loadFile(path: file.path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
            headers[.contentLength] = String(bytes.count)
            let body = isHead ? ResponseBody() : try await fileIO.loadFile(
                path: file.path, range: Int(bytes.lowerBound)...Int(bytes.upperBound), context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
    }
}
