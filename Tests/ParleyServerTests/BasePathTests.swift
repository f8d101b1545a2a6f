import Hummingbird
import HummingbirdTesting
import Testing

@testable import ParleyServer

/// Parley under a proxy's path prefix: the prefix as configured, and the routes answering
/// both with it (a proxy that passes the path through) and without (one that strips it).
@Suite struct BasePathTests {
    @Test func prefixIsNormalisedAndValidated() throws {
        #expect(try ServerConfiguration.basePath("") == "")
        #expect(try ServerConfiguration.basePath("/") == "")
        #expect(try ServerConfiguration.basePath("parley") == "/parley")
        #expect(try ServerConfiguration.basePath("/parley/") == "/parley")
        #expect(try ServerConfiguration.basePath("//apps//parley-1.0_x~/") == "/apps/parley-1.0_x~")
        for hostile in ["/../etc", "/a/./b", "/par ley", "/parley?x=1", "/p\"><script>", "/%2e%2e", "/é"] {
            #expect(throws: ServerConfigurationError.self, "\(hostile)") { try ServerConfiguration.basePath(hostile) }
        }
    }

    @Test func stripTakesOnlyTheWholePrefix() {
        #expect(BasePathResponder<RouterResponder<BasicRequestContext>>.strip("/parley", from: "/parley") == "/")
        #expect(BasePathResponder<RouterResponder<BasicRequestContext>>.strip("/parley", from: "/parley/") == "/")
        #expect(BasePathResponder<RouterResponder<BasicRequestContext>>.strip("/parley", from: "/parley?x=1") == "/?x=1")
        #expect(BasePathResponder<RouterResponder<BasicRequestContext>>.strip("/parley", from: "/parley/a/b?c") == "/a/b?c")
        #expect(BasePathResponder<RouterResponder<BasicRequestContext>>.strip("/parley", from: "/parleyx/a") == nil)
        #expect(BasePathResponder<RouterResponder<BasicRequestContext>>.strip("/parley", from: "/api/v1") == nil)
    }

    @Test func routesAnswerWithAndWithoutThePrefix() async throws {
        let router = Router()
        router.get("/meetings/{id}") { request, context in
            "\(try context.parameters.require("id")) \(request.uri.query ?? "")"
        }
        let app = Application(responder: BasePathResponder(prefix: "/parley", wrapped: router.buildResponder()))
        try await app.test(.router) { client in
            for path in ["/parley/meetings/7?q=1", "/meetings/7?q=1"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(String(buffer: response.body) == "7 q=1", "\(path)")
                }
            }
            try await client.execute(uri: "/parleyx/meetings/7", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
