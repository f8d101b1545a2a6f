import Hummingbird

/// The agent's web UI (`parley agent --ui`): the dashboard of the merged local + server list
/// and the stylesheet, nothing else.
///
/// No sign-in: it binds to 127.0.0.1 only and shows only this user's own library (what
/// `parley ls` prints to the same user). The server's pages it links to do their own sign-in.
public struct LocalDashboardServer: Sendable {
    public struct Listing: Sendable {
        public var cards: [LocalCard]
        public var notice: String?

        public init(cards: [LocalCard], notice: String?) {
            self.cards = cards
            self.notice = notice
        }
    }

    let port: Int
    let renderer: LocalDashboardRenderer
    /// Built per request, so the page shows the library and server as they are now.
    let listing: @Sendable () async -> Listing

    public init(port: Int, renderer: LocalDashboardRenderer, listing: @escaping @Sendable () async -> Listing) {
        self.port = port
        self.renderer = renderer
        self.listing = listing
    }

    /// Serves until cancelled.
    public func run() async throws {
        let router = Router()
        let renderer = renderer
        let listing = listing
        router.get("/") { request, context in
            let current = await listing()
            return try HTMLResponse(html: renderer.dashboard(cards: current.cards, notice: current.notice))
                .response(from: request, context: context)
        }
        router.get("/static/{name}") { request, context in
            renderer.asset(name: try context.parameters.require("name"), request: request)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.run()
    }
}
