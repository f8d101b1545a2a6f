import Foundation
import HTTPTypes
import Hummingbird
import ParleyStore
import ParleyAPI

/// Resolves the caller to a viewer, or answers 401.
///
/// - `Authorization: Bearer <token>` (API clients). When present it is the only credential
///   looked at: a wrong bearer token is a 401 even if a session cookie is sent too.
/// - Otherwise the web UI's session cookie (`parley_session`, a session id, see
///   `SessionRepository`). Cookie-authenticated calls
///   with unsafe methods (POST, PATCH, PUT, DELETE) must also carry `X-Parley-CSRF` with
///   the session's CSRF value, or they are refused with 403. SameSite=Strict already keeps
///   cross-site requests from carrying the cookie; the header is a second, independent
///   guard (a cross-site page cannot set custom headers without a CORS preflight, and
///   cannot read the value from our pages).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    let accounts: AccountRepository
    let sessions: SessionRepository

    static let csrfFailure = APIFailure(
        .forbidden, code: .csrfFailed,
        "cookie-authenticated requests that change data need the X-Parley-CSRF header of the page")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Resolved already by the rate limiter in front of every route; resolved here only
        // when a router is built without it.
        let credentials: Credentials
        if let resolved = context.credentials {
            credentials = resolved
        } else {
            credentials = try await Credentials.resolve(request, accounts: accounts, sessions: sessions)
        }
        guard let viewer = credentials.viewer else { throw APIFailure.unauthorized }
        if case .session(let id, _) = credentials, !SessionCookie.isSafe(request.method),
            !SessionCookie.isValidCSRF(request.headers[.parleyCSRF], session: id)
        {
            throw Self.csrfFailure
        }
        var context = context
        context.viewer = viewer
        return try await next(request, context)
    }

    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.utf8.count < 512 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
