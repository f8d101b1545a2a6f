import HTTPTypes
import Hummingbird
import ParleyAPI
import ParleyStore

/// 429 with `Retry-After` once a principal spends its bucket. The key is who the request
/// turned out to be (one bucket per user, whatever token or session it uses), and only
/// requests that prove no identity share their client address's bucket: keying on the
/// presented string gave every made-up token a fresh bucket. Presenting a credential that
/// fails also spends from a small per-address bucket of failures, so guessing tokens or
/// replaying revoked ones is slowed to a few tries a minute.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    let limiter: RateLimiter
    let dependencies: ServerDependencies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let credentials = try await Credentials.resolve(request, accounts: dependencies.accounts, sessions: dependencies.sessions)
        let address = ClientAddress.of(request, context: context, trustedProxies: dependencies.configuration.trustedProxies)
        if credentials.isRejected, let wait = await dependencies.authFailures.acquire("failed:" + address) {
            throw Self.tooMany(wait, "too many failed sign-ins from this address")
        }
        let key = credentials.viewer.map { "user:" + $0.userId } ?? "address:" + address
        if let wait = await limiter.acquire(key) {
            throw Self.tooMany(wait, "too many requests")
        }
        var context = context
        context.credentials = credentials
        return try await next(request, context)
    }

    static func tooMany(_ wait: Double, _ what: String) -> APIFailure {
        let seconds = max(1, Int(wait.rounded(.up)))
        return APIFailure(
            .tooManyRequests, code: .rateLimited, "\(what); retry in \(seconds) s",
            headers: [.retryAfter: String(seconds)])
    }
}
