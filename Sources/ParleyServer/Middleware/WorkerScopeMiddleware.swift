import Hummingbird
import ParleyAPI
import ParleyStore

/// Keeps worker tokens to the worker API: a `parley worker` token answers 403 on every
/// other route (meetings, uploads, search, the web UI, metrics), so a stolen worker token
/// reads nothing but the audio of a job its worker holds. Runs after the rate limiter,
/// which has resolved who is asking.
struct WorkerScopeMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    static let prefix = "/api/v1/worker/"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if context.credentials?.viewer?.role == .worker, !request.uri.path.hasPrefix(Self.prefix) {
            throw APIFailure(.forbidden, code: .workerToken, "a worker token may only use the worker API (/api/v1/worker/…)")
        }
        return try await next(request, context)
    }
}
