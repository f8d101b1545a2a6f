import Foundation
import Hummingbird
import ParleyStore

/// The signed-in browser behind a page request: who it is and the CSRF value its page
/// scripts and forms must send back.
struct WebSession: Sendable {
    var viewer: Viewer
    var id: String
    var csrf: String

    /// The session the request's cookie stands for, or nil (no cookie; a session that
    /// expired, was signed out, or whose token was revoked).
    static func resolve(_ request: Request, context: ParleyRequestContext, sessions: SessionRepository) async throws -> WebSession? {
        guard let id = SessionCookie.session(in: request) else { return nil }
        let viewer: Viewer?
        if case .session(id, let resolved) = context.credentials {
            viewer = resolved  // already looked up by the rate limiter
        } else {
            viewer = try await sessions.resolve(id)
        }
        guard let viewer else { return nil }
        return WebSession(viewer: viewer, id: id, csrf: SessionCookie.csrfValue(for: id))
    }

    /// Where a page request without a session goes: the sign-in form, coming back here after.
    ///
    /// SameSite=Strict cookies are not sent on a navigation that starts on another site (a
    /// link in a chat or an e-mail), so a signed-in user would land on the sign-in form. For
    /// such navigations we answer a page that reloads the same address once: that second
    /// request starts on our own origin and carries the cookie. A request that still has no
    /// session then goes to /login as usual.
    static func signInRedirect(_ request: Request, base: String) -> any ResponseGenerator {
        let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        if request.headers[.secFetchSite] == "cross-site", request.cookies[SessionCookie.name] == nil {
            let target = WebFormat.escape(base + path)
            return HTMLResponse(
                html: """
                    <!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=\(target)">
                    <title>Parley</title></head><body><p><a href="\(target)">Continue to Parley</a></p></body></html>
                    """)
        }
        var headers: HTTPFields = [:]
        if request.cookies[SessionCookie.name] != nil { headers[.setCookie] = SessionCookie.clearCookie(request: request) }
        return HTMLResponse.redirect(to: base + "/login?next=" + WebFormat.queryEscape(path), headers: headers)
    }

    /// A page to return to after signing in; anything else (other hosts, `//x`, `/\x`,
    /// and API, upload or asset paths, which a link could use to make a fresh sign-in
    /// fetch or download something) becomes "/", so the sign-in form is no open redirect.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.utf8.count <= 2000,
            !next.contains(where: { $0.isNewline || $0 == "\0" }), isPage(next)
        else { return "/" }
        return next
    }

    /// The web UI's page paths: the dashboard, a meeting, search, webhooks, vocabulary.
    static func isPage(_ path: String) -> Bool {
        let route = path.prefix { $0 != "?" && $0 != "#" }
        let parts = route.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        switch parts.first {
        case "": return parts.count == 1
        case "search", "webhooks", "vocabulary": return parts.count == 1
        case "meetings": return parts.count == 2 && !(parts.last ?? "").isEmpty
        default: return false
        }
    }
}
