import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ParleyAPI
import Testing

@testable import ParleyServer

/// The OpenAPI document as served, and the routes the real router registers, agree both
/// ways. The document describes the API, not the web UI: the routes `WebRoutes` registers
/// (pages, sign-in, static assets) are left out, everything else (health, metrics, tus,
/// /api/v1, the OpenAI-compatible endpoint) must be documented, and nothing more.
@Suite struct OpenAPIRouteTests {
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String

        init(_ method: String, _ path: String) {
            self.method = method.uppercased()
            // `:id` and `{id}` are the same parameter; the document writes `{id}`.
            self.path =
                "/"
                + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
        }

        var description: String { "\(method) \(path)" }
        static func < (a: Self, b: Self) -> Bool { (a.path, a.method) < (b.path, b.method) }
    }

    static let documentMethods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]

    static func operations(_ routes: [(method: HTTPRequest.Method, path: String)]) -> Set<Operation> {
        Set(routes.map { Operation($0.method.rawValue, $0.path) })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() async throws {
        try await TestServer.run { server, client in
            let served = try await client.send(.get, "/api/v1/openapi.json")
            #expect(served.status == .ok)
            let paths = try #require(try served.json["paths"] as? [String: [String: Any]])
            let documented = Set(
                paths.flatMap { path, item in
                    item.keys.filter(Self.documentMethods.contains).map { Operation($0, path) }
                })

            let web = Router(context: ParleyRequestContext.self)
            WebRoutes(dependencies: server.dependencies).register(on: web)
            let webPages = Self.operations(web.routes.map { ($0.method, $0.path.description) })
            let registered = Self.operations(server.routes)
            #expect(webPages.isSubset(of: registered), "WebRoutes is no longer part of the server's router")
            let api = registered.subtracting(webPages)

            // Floors, so that a router seen empty (or a document read wrong) cannot pass.
            #expect(api.count >= 40, "\(api.sorted())")
            #expect(api.contains(Operation("GET", "/api/v1/meetings/{id}/audio/stream")))
            #expect(api.contains(Operation("OPTIONS", "/api/v1/uploads")))
            #expect(api.contains(Operation("POST", "/api/v1/meetings")))
            #expect(webPages.contains(Operation("GET", "/login")))

            let undocumented = api.subtracting(documented).sorted()
            #expect(undocumented.isEmpty, "routes registered but not in openapi.json: \(undocumented)")
            let unrouted = documented.subtracting(api).sorted()
            #expect(unrouted.isEmpty, "operations in openapi.json that no route registers: \(unrouted)")
        }
    }

    /// The document's list of error codes is `APIErrorCode`, both ways: a code the server
    /// can send is documented, and a documented one exists.
    @Test func errorCodesAreTheSwiftEnum() async throws {
        let document = try JSONSerialization.jsonObject(with: try OpenAPIDocument.data()) as? [String: Any]
        let error = (document?["components"] as? [String: Any])
            .flatMap { $0["schemas"] as? [String: Any] }.flatMap { $0["Error"] as? [String: Any] }
            .flatMap { $0["properties"] as? [String: Any] }.flatMap { $0["error"] as? [String: Any] }
            .flatMap { $0["properties"] as? [String: Any] }.flatMap { $0["code"] as? [String: Any] }
        let documented = try #require(error?["enum"] as? [String])
        #expect(documented.sorted() == APIErrorCode.allCases.map(\.rawValue).sorted())
    }

    @Test func normalisationTreatsBothParameterSpellingsAlike() {
        #expect(Operation("get", "/api/v1/meetings/:id/status") == Operation("GET", "/api/v1/meetings/{id}/status"))
        #expect(Operation("GET", "api/v1//uploads/") == Operation("GET", "/api/v1/uploads"))
    }
}
