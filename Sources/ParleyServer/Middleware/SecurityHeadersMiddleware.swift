import HTTPTypes
import Hummingbird

/// Headers that keep anything Parley serves from becoming active content on its origin.
/// An uploaded file is the user's bytes, not Parley's: if a browser sniffed an "audio"
/// response into HTML, a script in it would run with the signed-in user's session. So every
/// response says `nosniff`, and every response that is not a page (API JSON, audio, tus,
/// errors) carries a CSP that forbids everything and sandboxes it. Pages set their own.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    static let lockedDownPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            Self.secure(&response.headers)
            return response
        } catch let error as any HTTPResponseError {
            // Errors become responses after the middleware chain; make them here so they
            // carry the same headers.
            var response = try error.response(from: request, context: context)
            Self.secure(&response.headers)
            return response
        }
    }

    static func secure(_ headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        if headers[.contentSecurityPolicy] == nil {
            headers[.contentSecurityPolicy] = lockedDownPolicy
        }
    }
}
