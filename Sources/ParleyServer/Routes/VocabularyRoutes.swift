import Foundation
import Hummingbird
import ParleyAPI
import ParleyStore

/// `/api/v1/vocabulary` (the caller's own list) and `/api/v1/workspaces/{id}/vocabulary`
/// (members read it, admins replace it). A workspace the caller is not in is a 404.
struct VocabularyRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on api: RouterGroup<ParleyRequestContext>) {
        let repository = VocabularyRepository(database: dependencies.database)
        api.get("vocabulary") { _, context in
            try JSONResponse.make(try await repository.vocabulary(of: .user(try context.requireViewer().userId)))
        }
        api.put("vocabulary") { request, context in
            let viewer = try context.requireViewer()
            let terms = try await Self.terms(request)
            return try JSONResponse.make(try await repository.save(terms, for: .user(viewer.userId), by: viewer.userId))
        }
        api.get("workspaces/{id}/vocabulary") { _, context in
            let workspace = try member(context)
            return try JSONResponse.make(try await repository.vocabulary(of: .workspace(workspace)))
        }
        api.put("workspaces/{id}/vocabulary") { request, context in
            let workspace = try member(context)
            let viewer = try context.requireViewer()
            guard try await dependencies.accounts.adminWorkspaces(userId: viewer.userId).contains(workspace) else {
                throw APIFailure(.forbidden, code: .notAdmin, "only the workspace's admins can change its vocabulary")
            }
            let terms = try await Self.terms(request)
            return try JSONResponse.make(try await repository.save(terms, for: .workspace(workspace), by: viewer.userId))
        }
    }

    func member(_ context: ParleyRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard try context.requireViewer().workspaceIds.contains(id) else { throw APIFailure.notFound("workspace") }
        return id
    }

    static func terms(_ request: Request) async throws -> [String] {
        let body = try await TranscriptEditor.decode(Vocabulary.self, request)
        switch Vocabulary.normalised(body.terms) {
        case .success(let terms): return terms
        case .failure(let problem): throw APIFailure.badRequest(problem.description, code: .badVocabulary)
        }
    }
}
