import Hummingbird
import ParleyAPI
import ParleyStore

/// GET /vocabulary and its forms (POST /vocabulary, `owner` = "user" or "workspace:<id>"):
/// the same rules and messages as the API (`Vocabulary.normalised`, admins only for a
/// workspace's list), without scripts.
extension WebRoutes {
    func vocabularyPage(
        session: WebSession, notice: String? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> HTMLResponse {
        let repository = VocabularyRepository(database: dependencies.database)
        let names = try await workspaceNames(session.viewer)
        let admin = try await dependencies.accounts.adminWorkspaces(userId: session.viewer.userId)
        var lists = [
            VocabularyPage.List(
                owner: "user", label: "Your vocabulary",
                vocabulary: try await repository.vocabulary(of: .user(session.viewer.userId)), editable: true)
        ]
        for (id, name) in names.sorted(by: { $0.value < $1.value }) {
            lists.append(
                VocabularyPage.List(
                    owner: "workspace:" + id, label: "Workspace \(name)",
                    vocabulary: try await repository.vocabulary(of: .workspace(id)), editable: admin.contains(id)))
        }
        var pageChrome = chrome("Vocabulary", session: session)
        pageChrome.isVocabulary = true
        return try render(
            VocabularyPage(chrome: pageChrome, lists: lists, notice: notice, error: error), template: "vocabulary",
            status: status)
    }

    func saveVocabulary(_ request: Request, session: WebSession) async throws -> any ResponseGenerator {
        let form = FormQuery(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
        guard SessionCookie.isValidCSRF(form.get("csrf"), session: session.id) else {
            return try await vocabularyPage(session: session, error: "This form is out of date; reload the page.", status: .forbidden)
        }
        let owner: VocabularyRepository.Owner
        switch form.get("owner") ?? "" {
        case "user":
            owner = .user(session.viewer.userId)
        case let value where value.hasPrefix("workspace:"):
            let id = String(value.dropFirst("workspace:".count))
            guard try await dependencies.accounts.adminWorkspaces(userId: session.viewer.userId).contains(id) else {
                return try await vocabularyPage(
                    session: session, error: "Only the workspace's admins can change its vocabulary.",
                    status: .forbidden)
            }
            owner = .workspace(id)
        default:
            return try await vocabularyPage(session: session, error: "No such vocabulary.", status: .badRequest)
        }
        let lines = (form.get("terms") ?? "").split(whereSeparator: \.isNewline).map(String.init)
        switch Vocabulary.normalised(lines) {
        case .failure(let problem):
            return try await vocabularyPage(
                session: session,
                error: problem.description.prefix(1).uppercased()
                    + problem.description.dropFirst() + ".", status: .badRequest)
        case .success(let terms):
            _ = try await VocabularyRepository(database: dependencies.database).save(terms, for: owner, by: session.viewer.userId)
            return try await vocabularyPage(session: session, notice: "Saved \(terms.count) term(s).")
        }
    }
}
