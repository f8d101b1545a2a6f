import Hummingbird

/// Renders the server's dashboard template for the agent's merged local + server list, so
/// one set of templates (and one stylesheet) serves both UIs.
public struct LocalDashboardRenderer: Sendable {
    let templates: WebTemplates
    let assets: StaticAssets

    public init() throws {
        templates = try WebTemplates.load()
        assets = try StaticAssets.load()
    }

    /// The whole page. `notice` says why the list may be incomplete (server unreachable).
    public func dashboard(cards: [LocalCard], notice: String?) throws -> String {
        let chrome = PageChrome(localTitle: "Meetings", assetVersion: assets.version)
        return try templates.render(DashboardPage(chrome: chrome, localCards: cards, notice: notice), template: "dashboard")
    }

    func asset(name: String, request: Request) -> Response {
        assets.response(name: name, request: request)
    }
}
