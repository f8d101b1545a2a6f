import HTTPTypes
import Hummingbird

/// Serves the routes under the configured path prefix as well as at the root.
///
/// A proxy that strips the prefix (nginx `proxy_pass http://parley/;` in a `/parley/`
/// location, the shipped `deploy/nginx/parley-subpath.conf`) sends `/api/v1/…`; one that
/// passes the path through (Traefik without StripPrefix, Caddy's `handle` instead of
/// `handle_path`) sends `/parley/api/v1/…`. Both reach the same routes, and loopback
/// clients (the metrics scraper, health checks) keep using the plain paths. Hummingbird
/// picks the route before any middleware runs, so the path is rewritten here, in front of
/// the router, rather than in a middleware.
struct BasePathResponder<Wrapped: HTTPResponder>: HTTPResponder {
    typealias Context = Wrapped.Context

    let prefix: String
    let wrapped: Wrapped

    func respond(to request: Request, context: Context) async throws -> Response {
        guard !prefix.isEmpty, let path = request.head.path, let rest = Self.strip(prefix, from: path) else {
            return try await wrapped.respond(to: request, context: context)
        }
        var head = request.head
        head.path = rest
        return try await wrapped.respond(to: Request(head: head, body: request.body), context: context)
    }

    /// "/parley" → "/", "/parley/x?q" → "/x?q", "/parley?q" → "/?q"; nil for "/parleyx" or "/other".
    static func strip(_ prefix: String, from path: String) -> String? {
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        switch rest.first {
        case nil: return "/"
        case "/": return String(rest)
        case "?": return "/" + rest
        default: return nil
        }
    }
}
