import HTTPTypes
import Hummingbird
import ParleyAPI

/// tus 1.0 rules common to every upload request: the client must speak version 1.0.0
/// (412 otherwise), and every response, errors included, says `Tus-Resumable`.
struct TusProtocolMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    static let version = "1.0.0"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            guard request.headers[.tusResumable] == Self.version else {
                throw APIFailure(
                    .preconditionFailed, code: .unsupportedTusVersion,
                    "this server speaks tus \(Self.version); send Tus-Resumable: \(Self.version)",
                    headers: [.tusVersion: Self.version])
            }
            var response = try await next(request, context)
            response.headers[.tusResumable] = Self.version
            return response
        } catch var failure as APIFailure {
            failure.extraHeaders[.tusResumable] = Self.version
            throw failure
        }
    }
}

extension HTTPField.Name {
    static let tusResumable = Self("Tus-Resumable")!
    static let tusVersion = Self("Tus-Version")!
    static let tusExtension = Self("Tus-Extension")!
    static let tusMaxSize = Self("Tus-Max-Size")!
    static let uploadOffset = Self("Upload-Offset")!
    static let uploadLength = Self("Upload-Length")!
    static let uploadMetadata = Self("Upload-Metadata")!
    static let uploadDeferLength = Self("Upload-Defer-Length")!
    static let parleyMeetingID = Self("Parley-Meeting-Id")!
    static let parleyDuplicate = Self("Parley-Duplicate")!
}
