import Foundation
import HTTPTypes
import Hummingbird
import ParleyStore

/// Resolves `Authorization: Bearer <token>` to a viewer, or answers 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    let accounts: AccountRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.bearerToken(request.headers[.authorization]),
              let viewer = try await accounts.authenticate(token: token)
        else { throw APIFailure.unauthorized }
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
