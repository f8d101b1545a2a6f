import Foundation
import Hummingbird
import ParleyAPI
import ParleyStore
import Logging

/// `GET /api/v1/tokens` lists the caller's API tokens (never the secrets); `DELETE
/// /api/v1/tokens/{id}` revokes one, ending every web session opened with it. A token can
/// revoke itself: the next request with it is a 401.
struct TokenRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on api: RouterGroup<ParleyRequestContext>) {
        api.get("tokens") { request, context in
            let viewer = try context.requireViewer()
            var presented: String?
            if case .bearer(let token, _) = context.credentials { presented = token }
            return try JSONResponse.make(try await dependencies.accounts.tokens(userId: viewer.userId, current: presented))
        }
        api.delete("tokens/{id}") { _, context in
            let viewer = try context.requireViewer()
            let id = try context.parameters.require("id")
            guard id.utf8.count <= 64, try await dependencies.accounts.revokeToken(id: id, userId: viewer.userId) else {
                throw APIFailure.notFound("token")
            }
            dependencies.logger.info("token revoked", metadata: ["user": "\(viewer.name)", "token": "\(id)"])
            return Response(status: .noContent)
        }
    }
}
