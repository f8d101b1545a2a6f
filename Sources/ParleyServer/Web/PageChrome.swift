/// What every signed-in page shares: its title, the signed-in user, the CSRF value for
/// scripts and forms, versioned asset URLs, which navigation item is current.
struct PageChrome: Sendable {
    var title: String
    var userName: String
    var csrf: String
    var assetVersion: String
    var isDashboard = false
    var isSearch = false
    /// File names under /static to load (deferred).
    var scripts: [String] = []
    /// Extra class on <body> for page-specific layout.
    var bodyClass = ""

    init(title: String, session: WebSession, assetVersion: String, scripts: [String] = []) {
        self.title = title
        self.userName = session.viewer.name
        self.csrf = session.csrf
        self.assetVersion = assetVersion
        self.scripts = ["common.js"] + scripts
    }
}
