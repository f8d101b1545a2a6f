import ParleyStore

/// What every signed-in page shares: its title, the signed-in user, the CSRF value for
/// scripts and forms, versioned asset URLs, which navigation item is current.
struct PageChrome: Sendable {
    var title: String
    var userName: String
    var csrf: String
    var assetVersion: String
    /// The proxy's path prefix (`ServerConfiguration.basePath`), put before every link and
    /// script URL; the scripts read it from `<meta name="parley-base">`.
    var base = ""
    var isDashboard = false
    var isSearch = false
    var isWebhooks = false
    var isVocabulary = false
    /// File names under /static to load (deferred).
    var scripts: [String] = []
    /// Extra class on <body> for page-specific layout.
    var bodyClass = ""
    /// The agent's local UI (`parley agent --ui`): no account, no sign-out, no search.
    var isLocal = false

    init(title: String, session: WebSession, assetVersion: String, base: String, scripts: [String] = []) {
        self.title = title
        self.base = base
        self.userName = session.viewer.name
        self.csrf = session.csrf
        self.assetVersion = assetVersion
        self.scripts = ["common.js"] + scripts
    }

    /// The local UI's chrome: nobody signs in (see `LocalDashboardServer`), and its page
    /// loads no scripts, since they call the server's JSON API, which the agent does not serve.
    init(localTitle title: String, assetVersion: String) {
        self.title = title
        userName = "This computer"
        csrf = ""
        self.assetVersion = assetVersion
        isDashboard = true
        isLocal = true
    }
}
