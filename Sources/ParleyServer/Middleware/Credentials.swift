import Hummingbird
import ParleyStore

/// What a request presents to say who it is, and who that turned out to be. Resolved once
/// per request (by `RateLimitMiddleware`, which keys on the principal) and reused by
/// `AuthenticationMiddleware` and the pages.
enum Credentials: Sendable, Equatable {
    /// No credential at all.
    case none
    /// `Authorization: Bearer` — when present, the only credential looked at.
    case bearer(token: String, viewer: Viewer?)
    /// The web UI's session cookie.
    case session(id: String, viewer: Viewer?)

    var viewer: Viewer? {
        switch self {
        case .none: nil
        case .bearer(_, let viewer), .session(_, let viewer): viewer
        }
    }

    /// Presented but not valid: a guess, a revoked token, an expired session.
    var isRejected: Bool {
        switch self {
        case .none: false
        case .bearer(_, let viewer), .session(_, let viewer): viewer == nil
        }
    }

    static func resolve(_ request: Request, accounts: AccountRepository, sessions: SessionRepository) async throws -> Credentials {
        if let header = request.headers[.authorization] {
            guard let token = AuthenticationMiddleware.bearerToken(header) else { return .bearer(token: "", viewer: nil) }
            return .bearer(token: token, viewer: try await accounts.authenticate(token: token))
        }
        if let id = SessionCookie.session(in: request) {
            return .session(id: id, viewer: try await sessions.resolve(id))
        }
        return .none
    }
}
