import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyStore
import Logging
import ParleyAPI

/// The web UI: sign-in and sign-out, dashboard, meeting and search pages, and the static
/// CSS/JS. Pages are rendered on the server (readable without JavaScript); the scripts
/// call the JSON API with the session cookie and the page's CSRF value.
///
/// These routes live outside /api/v1 and do their own session check: a page request
/// without a session is redirected to /login instead of getting a JSON 401.
struct WebRoutes: Sendable {
    let dependencies: ServerDependencies
    let templates: WebTemplates?
    let assets: StaticAssets
    let loadFailure: String?

    init(dependencies: ServerDependencies) {
        self.dependencies = dependencies
        var failure: String?
        do {
            templates = try WebTemplates.load()
        } catch {
            templates = nil
            failure = "\(error)"
        }
        do {
            assets = try StaticAssets.load()
        } catch {
            assets = StaticAssets(assets: [:])
            failure = (failure.map { $0 + "; " } ?? "") + "\(error)"
        }
        loadFailure = failure
        if let failure { dependencies.logger.error("web UI unavailable: \(failure)") }
    }

    func register(on router: Router<ParleyRequestContext>) {
        router.get("/static/{name}") { request, context in
            assets.response(name: try context.parameters.require("name"), request: request)
        }
        router.head("/static/{name}") { request, context in
            assets.response(name: try context.parameters.require("name"), request: request)
        }
        router.get("/favicon.ico") { request, _ in assets.response(name: "icon.svg", request: request) }
        router.get("/login") { request, context in try await loginForm(request, context: context) }
        router.head("/login") { request, context in try await loginForm(request, context: context) }
        router.post("/login") { request, context in try await signIn(request, context: context) }
        router.post("/logout") { request, context in try await signOut(request, context: context) }
        router.get("/meetings/{id}/card") { request, context in try await card(request, context: context) }
        registerPage("/", on: router) { request, _, session in try await dashboard(request, session: session) }
        registerPage("/meetings/{id}", on: router) { request, context, session in
            try await meetingPage(request, context: context, session: session)
        }
        registerPage("/search", on: router) { request, _, session in try await searchPage(request, session: session) }
        registerPage("/webhooks", on: router) { _, _, session in try await webhooksPage(session: session) }
        registerPage("/vocabulary", on: router) { _, _, session in try await vocabularyPage(session: session) }
        router.post("/webhooks") { request, context in
            try await page(request, context) { session in try await addWebhook(request, session: session) }
        }
        router.post("/webhooks/{id}/delete") { request, context in
            let id = try context.parameters.require("id")
            return try await page(request, context) { session in try await deleteWebhook(id, request, session: session) }
        }
        router.post("/vocabulary") { request, context in
            try await page(request, context) { session in try await saveVocabulary(request, session: session) }
        }
    }

    /// A signed-in page at `path`, answering GET and HEAD (Hummingbird does not derive HEAD from GET).
    func registerPage(
        _ path: String, on router: Router<ParleyRequestContext>,
        _ body: @escaping @Sendable (Request, ParleyRequestContext, WebSession) async throws -> any ResponseGenerator
    ) {
        for method in [HTTPRequest.Method.get, .head] {
            router.on(RouterPath(path), method: method) { request, context in
                try await page(request, context) { session in try await body(request, context, session) }
            }
        }
    }

    /// Runs `body` for a signed-in browser; otherwise sends it to the sign-in form.
    func page(
        _ request: Request, _ context: ParleyRequestContext, _ body: (WebSession) async throws -> any ResponseGenerator
    ) async throws -> Response {
        guard let session = try await WebSession.resolve(request, context: context, sessions: dependencies.sessions) else {
            return try WebSession.signInRedirect(request, base: base).response(from: request, context: context)
        }
        return try await body(session).response(from: request, context: context)
    }

    func render(_ object: Any, template: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> HTMLResponse {
        guard let templates else {
            throw APIFailure(.internalServerError, code: .uiUnavailable, "the web UI could not load: \(loadFailure ?? "unknown")")
        }
        return HTMLResponse(html: try templates.render(object, template: template), status: status, headers: headers)
    }

    /// The proxy's path prefix, "" at the root.
    var base: String { dependencies.configuration.basePath }

    func chrome(_ title: String, session: WebSession, scripts: [String] = []) -> PageChrome {
        PageChrome(title: title, session: session, assetVersion: assets.version, base: base, scripts: scripts)
    }

    // MARK: Sign-in

    struct LoginView {
        var next: String
        var error: String
        var hasError: Bool
        var assetVersion: String
        var base: String
    }

    func loginForm(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let next = WebSession.safeNext(FormQuery(request.uri.query).get("next"))
        if try await WebSession.resolve(request, context: context, sessions: dependencies.sessions) != nil {
            return HTMLResponse.redirect(to: base + next)
        }
        return try render(LoginView(next: next, error: "", hasError: false, assetVersion: assets.version, base: base), template: "login")
            .response(from: request, context: context)
    }

    /// POST /login: the form's token becomes the session cookie. Only forms from this
    /// origin are accepted (the browser's Origin / Sec-Fetch-Site say where a POST came from),
    /// so another site cannot sign a visitor in to an account of its choosing.
    func signIn(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        guard Self.isSameOrigin(request) else {
            return try render(
                LoginView(
                    next: "/", error: "This sign-in form was sent from another site.", hasError: true,
                    assetVersion: assets.version, base: base), template: "login", status: .forbidden
            )
            .response(from: request, context: context)
        }
        let body = try await request.body.collect(upTo: 8 * 1024)
        let form = FormQuery(String(buffer: body))
        let next = WebSession.safeNext(form.get("next"))
        let token = (form.get("token") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let (session, viewer) = try await dependencies.sessions.open(token: token) else {
            var message = token.isEmpty ? "Enter an API token." : "That token is not valid on this server."
            var status = HTTPResponse.Status.unauthorized
            let address = ClientAddress.of(request, context: context, trustedProxies: dependencies.configuration.trustedProxies)
            if !token.isEmpty, let wait = await dependencies.authFailures.acquire("failed:" + address) {
                message = "Too many failed sign-ins; try again in \(max(1, Int(wait.rounded(.up)))) s."
                status = .tooManyRequests
            }
            return try render(
                LoginView(next: next, error: message, hasError: true, assetVersion: assets.version, base: base),
                template: "login", status: status
            )
            .response(from: request, context: context)
        }
        dependencies.logger.info("web sign-in", metadata: ["user": "\(viewer.name)"])
        return HTMLResponse.redirect(to: base + next, headers: [.setCookie: SessionCookie.setCookie(session: session, request: request)])
    }

    /// POST /logout (a form with the page's CSRF value): ends the session on the server
    /// (a copied cookie stops working too) and clears the cookie.
    func signOut(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 8 * 1024)
        let form = FormQuery(String(buffer: body))
        if let session = SessionCookie.session(in: request) {
            guard SessionCookie.isValidCSRF(form.get("csrf"), session: session) else {
                // Not from one of our pages: leave the session alone.
                return HTMLResponse.redirect(to: base + "/")
            }
            try await dependencies.sessions.revoke(session)
        }
        return HTMLResponse.redirect(to: base + "/login", headers: [.setCookie: SessionCookie.clearCookie(request: request)])
    }

    /// A browser POST from this origin: `Sec-Fetch-Site` when sent, else `Origin` against
    /// `Host`. Requests with neither (scripts, old browsers) carry no ambient authority.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite], site != "same-origin", site != "none" { return false }
        guard let origin = request.headers[.origin] else { return true }
        guard origin != "null", let url = URL(string: origin), let host = url.host, let authority = request.head.authority
        else { return false }
        let originAuthority = url.port.map { "\(host):\($0)" } ?? host
        return originAuthority.lowercased() == authority.lowercased()
    }
}
