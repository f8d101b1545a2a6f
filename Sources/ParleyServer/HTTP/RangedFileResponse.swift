import Foundation
import HTTPTypes
import Hummingbird
import ParleyAPI

/// A file answered with full Range support (206, 416 with `Content-Range: bytes */SIZE`,
/// `If-Range`, HEAD), parsed by `ByteRange` because `FileMiddleware` gets suffix and
/// past-the-end ranges wrong. Shared by the users' audio stream and the workers' download.
enum RangedFileResponse {
    static func make(
        file: URL, size: Int64, etag: String, headers: HTTPFields, request: Request, context: some RequestContext,
        fileIO: FileIO = FileIO()
    ) async throws -> Response {
        var headers = headers
        headers[.acceptRanges] = "bytes"
        headers[.eTag] = etag
        var range = ByteRange.parse(request.headers[.range], size: size)
        // If-Range: only honour Range when the client's copy is this exact representation.
        if let condition = request.headers[.ifRange], condition != etag { range = .full }
        let isHead = request.method == .head
        switch range {
        case .unsatisfiable:
            throw APIFailure(
                .rangeNotSatisfiable, code: .rangeNotSatisfiable, "the range is outside the \(size) bytes",
                headers: [.contentRange: "bytes */\(size)", .acceptRanges: "bytes"])
        case .full:
            headers[.contentLength] = String(size)
            let body = isHead || size == 0 ? ResponseBody() : try await fileIO.loadFile(path: file.path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
            headers[.contentLength] = String(bytes.count)
            let body =
                isHead
                ? ResponseBody()
                : try await fileIO.loadFile(
                    path: file.path, range: Int(bytes.lowerBound)...Int(bytes.upperBound), context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
    }
}
