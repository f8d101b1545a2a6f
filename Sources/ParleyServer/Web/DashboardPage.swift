import ParleyAPI
import ParleyStore

/// The meetings list: one keyset page of cards, the scope switch, the upload panel.
struct DashboardPage: Sendable {
    struct ScopeTab: Sendable {
        var label: String
        var href: String
        var isCurrent: Bool
    }

    struct Workspace: Sendable {
        var name: String
    }

    static let pageSize = 50

    var chrome: PageChrome
    var scope: String
    var scopeLabel: String
    var scopes: [ScopeTab]
    var cards: [MeetingCard]
    var hasCards: Bool
    var isFirstPage: Bool
    var olderHref: String
    var hasOlder: Bool
    var workspaces: [Workspace]
    var hasWorkspaces: Bool
    var maxUploadBytes: String

    init(
        chrome: PageChrome, scope: MeetingScope, page: Page<MeetingSummary>, isFirstPage: Bool,
        workspaceNames: [String: String], maxUploadBytes: Int64
    ) {
        self.chrome = chrome
        self.scope = scope.rawValue
        scopeLabel = Self.label(scope)
        scopes = [MeetingScope.all, .personal, .workspace].map { candidate in
            ScopeTab(label: Self.label(candidate), href: candidate == .all ? "/" : "/?scope=\(candidate.rawValue)",
                     isCurrent: candidate == scope)
        }
        cards = page.items.map { MeetingCard($0, workspaceNames: workspaceNames) }
        hasCards = !cards.isEmpty
        self.isFirstPage = isFirstPage
        olderHref = page.nextCursor.map { "/?scope=\(scope.rawValue)&cursor=\(WebFormat.queryEscape($0))" } ?? ""
        hasOlder = page.nextCursor != nil
        workspaces = workspaceNames.values.sorted().map { Workspace(name: $0) }
        hasWorkspaces = !workspaces.isEmpty
        self.maxUploadBytes = String(maxUploadBytes)
    }

    static func label(_ scope: MeetingScope) -> String {
        switch scope {
        case .all: "All"
        case .personal: "Personal"
        case .workspace: "Workspace"
        }
    }
}
