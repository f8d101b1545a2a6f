import HTTPTypes
import Hummingbird

/// 429 with `Retry-After` once a token (or, unauthenticated, an address) spends its bucket.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The peer's IP without its port: each new connection has another port, so keying
        // on the whole address gave every connection a fresh bucket.
        // Browsers carry their token in the session cookie: each signed-in user gets a bucket.
        let key = AuthenticationMiddleware.bearerToken(request.headers[.authorization])
            ?? SessionCookie.token(in: request)
            ?? context.remoteAddress.map { $0.ipAddress ?? "\($0)" } ?? "anonymous"
        if let wait = await limiter.acquire(key) {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw APIFailure(.tooManyRequests, code: "rate_limited", "too many requests; retry in \(seconds) s",
                             headers: [.retryAfter: String(seconds)])
        }
        return try await next(request, context)
    }
}
