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
    /// Connected workers, shown to administrators only (nil for everyone else).
    var workers: WorkersPanel?
    var hasOlder: Bool
    var workspaces: [Workspace]
    var hasWorkspaces: Bool
    var maxUploadBytes: String
    /// The agent's merged view: no scope tabs, no browser upload (the agent imports files).
    var isLocal = false
    /// Why the list may be incomplete (the local view with the server unreachable).
    var notice = ""
    /// Stored, not computed: templates read this type through `Mirror`.
    var hasNotice = false

    init(
        chrome: PageChrome, scope: MeetingScope, page: Page<MeetingSummary>, isFirstPage: Bool,
        workspaceNames: [String: String], maxUploadBytes: Int64
    ) {
        self.chrome = chrome
        self.scope = scope.rawValue
        scopeLabel = Self.label(scope)
        scopes = [MeetingScope.all, .personal, .workspace].map { candidate in
            ScopeTab(
                label: Self.label(candidate), href: chrome.base + (candidate == .all ? "/" : "/?scope=\(candidate.rawValue)"),
                isCurrent: candidate == scope)
        }
        cards = page.items.map { MeetingCard($0, base: chrome.base, workspaceNames: workspaceNames) }
        hasCards = !cards.isEmpty
        self.isFirstPage = isFirstPage
        olderHref = page.nextCursor.map { chrome.base + "/?scope=\(scope.rawValue)&cursor=\(WebFormat.queryEscape($0))" } ?? ""
        hasOlder = page.nextCursor != nil
        workspaces = workspaceNames.values.sorted().map { Workspace(name: $0) }
        hasWorkspaces = !workspaces.isEmpty
        self.maxUploadBytes = String(maxUploadBytes)
    }

    /// The agent's merged view: every entry on one page.
    init(chrome: PageChrome, localCards: [LocalCard], notice: String?) {
        self.chrome = chrome
        scope = MeetingScope.all.rawValue
        scopeLabel = "Local and server"
        scopes = []
        cards = localCards.map { MeetingCard(local: $0) }
        hasCards = !cards.isEmpty
        isFirstPage = true
        olderHref = ""
        hasOlder = false
        workspaces = []
        hasWorkspaces = false
        maxUploadBytes = "0"
        isLocal = true
        self.notice = notice ?? ""
        hasNotice = !self.notice.isEmpty
    }

    static func label(_ scope: MeetingScope) -> String {
        switch scope {
        case .all: "All"
        case .personal: "Personal"
        case .workspace: "Workspace"
        }
    }
}
