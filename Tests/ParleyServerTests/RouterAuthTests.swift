import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ParleyAPI
import Testing

@testable import ParleyServer

/// Who may call what, through the real router: bearer tokens, worker tokens kept to the
/// worker API, and the web sign-in's session cookie with its CSRF guard
/// (tests/e2e/test_authorization.py, test_abuse.py and test_workers.py say the same over HTTP).
@Suite struct RouterAuthTests {
    @Test func noOrInvalidTokenIs401() async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            for presented in [nil, "prl_not-a-token", "not even bearer"] as [String?] {
                var headers: HTTPFields = [:]
                if let presented { headers[.authorization] = presented.hasPrefix("prl_") ? "Bearer \(presented)" : presented }
                let response = try await client.send(.get, "/api/v1/meetings/summary", headers: headers)
                #expect(response.status == .unauthorized, "\(presented ?? "none")")
                #expect(response.errorCode == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                // API answers, errors included, are locked down (test_abuse.py).
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            // tus wraps authentication, so its 401 still speaks tus.
            let tus = try await client.send(.head, "/api/v1/uploads/x", headers: [.tusResumable: "1.0.0"])
            #expect(tus.status == .unauthorized)
            #expect(tus.headers[.tusResumable] == "1.0.0")
            #expect(try await client.send(.get, "/api/v1/meetings/summary", token: token).status == .ok)
        }
    }

    @Test func workerAndUserTokensAreRefusedOnEachOthersRoutes() async throws {
        try await TestServer.run { server, client in
            let user = try await server.user("owner")
            let worker = try await server.workerToken(of: "owner")
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/v1/meetings/summary"), (.post, "/api/v1/meetings"),
                (.get, "/api/v1/search?q=x"), (.get, "/api/v1/tokens"), (.get, "/api/v1/workers"),
                (.get, "/metrics"), (.get, "/"), (.get, "/api/v1/events"),
            ] {
                let response = try await client.send(method, path, token: worker, headers: [.tusResumable: "1.0.0"])
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.errorCode == .workerToken, "\(method) \(path)")
            }
            for path in ["/api/v1/worker/claim", "/api/v1/worker/jobs/1/heartbeat"] {
                let response = try await client.send(.post, path, token: user, body: Array("{}".utf8))
                #expect(response.status == .forbidden, "\(path)")
                #expect(response.errorCode == .workerOnly, "\(path)")
            }
            // A worker token reaches its API: it just holds no job yet.
            #expect(try await client.send(.get, "/api/v1/worker/jobs/1/audio", token: worker).status == .notFound)
        }
    }

    @Test func signInGivesASessionCookieThatNeedsCSRFToChangeData() async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            let worker = try await server.workerToken(of: "alice")
            let refused = try await client.signIn(token: "prl_wrong")
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.setCookie] == nil)
            #expect(try await client.signIn(token: worker).headers[.setCookie] == nil, "a worker token opens no session")

            let signedIn = try await client.signIn(token: token, next: "/search?q=budget")
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/search?q=budget")
            let setCookie = try #require(signedIn.headers[.setCookie])
            #expect(setCookie.hasPrefix("parley_session=pss_") && setCookie.contains("HttpOnly"))
            #expect(!setCookie.contains(token))
            let session = String(setCookie.split(separator: ";")[0].dropFirst("parley_session=".count))
            let cookie: HTTPFields = [.cookie: "parley_session=\(session)"]

            #expect(try await client.send(.get, "/api/v1/meetings/summary", headers: cookie).status == .ok)
            let unguarded = try await client.send(.post, "/api/v1/meetings/x/cancel", headers: cookie)
            #expect(unguarded.status == .forbidden)
            #expect(unguarded.errorCode == .csrfFailed)
            var guarded = cookie
            guarded[.parleyCSRF] = SessionCookie.csrfValue(for: session)
            #expect(try await client.send(.post, "/api/v1/meetings/x/cancel", headers: guarded).status == .notFound)

            // Signing out ends the session on the server: the copied cookie is dead.
            let out = try await client.send(
                .post, "/logout", headers: cookie.merging([.contentType: "application/x-www-form-urlencoded"]),
                body: Array("csrf=\(SessionCookie.csrfValue(for: session))".utf8))
            #expect(out.status == .seeOther)
            #expect(try await client.send(.get, "/api/v1/meetings/summary", headers: cookie).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/meetings/summary", token: token).status == .ok)
        }
    }

    @Test func signInReturnsOnlyToPages() async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            for (next, expected) in [
                ("/api/v1/meetings/summary", "/"), ("//evil.example/", "/"), ("/metrics", "/"),
                ("/meetings/abc#t=12.5", "/meetings/abc#t=12.5"),
            ] {
                let response = try await client.signIn(token: token, next: next)
                #expect(response.headers[.location] == expected, "\(next)")
            }
        }
    }
}

extension TestClientProtocol {
    /// The sign-in form as a browser on this origin posts it.
    func signIn(token: String, next: String? = nil) async throws -> TestResponse {
        var form = "token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)"
        if let next { form += "&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)" }
        return try await send(
            .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"],
            body: Array(form.utf8))
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}
