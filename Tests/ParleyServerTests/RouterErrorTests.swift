import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ParleyAPI
import Testing

@testable import ParleyServer

/// What a client that gets something wrong is told, through the real router: 404 for what
/// is unknown (or someone else's), 400 for bodies and ids that cannot be right, each as the
/// JSON error `{"error": {"code", "message"}}` (tests/e2e/test_bad_input.py over HTTP).
@Suite struct RouterErrorTests {
    static let unknown = "00000000-0000-0000-0000-000000000000"

    @Test func unknownMeetingsAre404WithTheErrorShape() async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            let requests: [(HTTPRequest.Method, String)] = [
                (.get, ""), (.get, "/status"), (.get, "/audio/metadata"), (.get, "/audio/stream"), (.get, "/speakers"),
                (.get, "/export?format=txt"), (.delete, ""), (.post, "/process-async"), (.post, "/cancel"),
            ]
            for (method, suffix) in requests {
                let response = try await client.send(method, "/api/v1/meetings/\(Self.unknown)\(suffix)", token: token)
                #expect(response.status == .notFound, "\(method) \(suffix)")
                #expect(response.errorCode == .notFound, "\(method) \(suffix): \(response.text)")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(try response.object("error")["message"] is String)
            }
            #expect(try await client.send(.delete, "/api/v1/tokens/\(Self.unknown)", token: token).errorCode == .notFound)
            #expect(try await client.send(.get, "/api/v1/webhooks/\(Self.unknown)", token: token).errorCode == .notFound)
        }
    }

    @Test func anotherUsersMeetingIsAsUnknownAsNone() async throws {
        try await TestServer.run { server, client in
            let alice = try await server.user("alice")
            let bob = try await server.user("bob")
            let upload = try await client.uploadMeeting(sampleBytes(300), token: alice)
            let id = try #require(try upload.object("meeting")["id"] as? String)
            for suffix in ["", "/status", "/audio/stream"] {
                let response = try await client.send(.get, "/api/v1/meetings/\(id)\(suffix)", token: bob)
                #expect(response.status == .notFound && response.errorCode == .notFound, "\(suffix)")
            }
            #expect(try await client.send(.get, "/api/v1/meetings/\(id)", token: alice).status == .ok)
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            let worker = try await server.workerToken(of: "alice")
            let id = try #require(try await client.uploadMeeting(sampleBytes(300), token: token).object("meeting")["id"] as? String)
            let json: HTTPFields = [.contentType: "application/json"]
            for body in ["{", "[]", "not json"] {
                for (method, path, caller) in [
                    (HTTPRequest.Method.put, "/api/v1/vocabulary", token),
                    (.post, "/api/v1/webhooks", token),
                    (.post, "/api/v1/meetings/\(id)/process-async", token),
                    (.post, "/api/v1/worker/claim", worker),
                ] {
                    let response = try await client.send(method, path, token: caller, headers: json, body: Array(body.utf8))
                    #expect(response.status == .badRequest, "\(method) \(path) \(body): \(response.status)")
                    #expect(response.errorCode != nil, "\(method) \(path) \(body): \(response.text)")
                }
            }
        }
    }

    @Test func badQueriesAndIdsAre400() async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            for path in [
                "/api/v1/meetings/summary?limit=0", "/api/v1/meetings/synced?limit=abc", "/api/v1/search",
                "/api/v1/meetings/summary?scope=everyone", "/api/v1/meetings/check/x?sha256=nothex",
            ] {
                let response = try await client.send(.get, path, token: token)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.errorCode != nil, "\(path)")
            }
            let cursor = try await client.send(.get, "/api/v1/meetings/summary?cursor=garbage%21", token: token)
            #expect(cursor.status == .badRequest && cursor.errorCode == .invalidCursor)
            for clientID in ["..", ".hidden", String(repeating: "x", count: 129), "a%20b"] {
                let response = try await client.uploadMeeting(Array("RIFF x".utf8), token: token, query: "&client_id=\(clientID)")
                #expect(response.status == .badRequest, "\(clientID)")
            }
            #expect(try await client.meetingIDs(token: token).isEmpty)
        }
    }

    /// Ids that look like paths never reach the disk: always a 4xx, with a small body that
    /// names nothing of the storage behind it.
    @Test func hostilePathsAreRefused() async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            let paths = [
                "/api/v1/meetings/..", "/api/v1/meetings/%2e%2e", "/api/v1/meetings/.", "/api/v1/meetings/../x",
                "/api/v1/meetings/a%2F..%2Fb", "/api/v1/meetings/..%2F..%2Fparley.sqlite",
                "/api/v1/meetings/..%2F..%2Fparley.sqlite/audio/stream", "/api/v1/meetings/%2E%2E%2Faudio/audio/stream",
                "/api/v1/meetings/.hidden/status", "/api/v1/meetings/check/..", "/api/v1/meetings/check/..%2F..%2Fx",
                "/api/v1/meetings/%00/status", "/api/v1/meetings/a%5C..%5Cb", "/api/v1/meetings/" + String(repeating: "a", count: 129),
                "/api/v1/uploads/..", "/api/v1/uploads/..%2F..%2Fparley.sqlite", "/api/v1/uploads/..%2Fuploads",
            ]
            let headers: HTTPFields = [.tusResumable: "1.0.0", .uploadOffset: "0", .contentType: UploadRoutes.offsetContentType]
            for path in paths {
                for method in [HTTPRequest.Method.get, .head, .delete, .patch] {
                    let response = try await client.send(method, path, token: token, headers: headers, body: method == .patch ? [] : nil)
                    #expect((400..<500).contains(response.status.code), "\(method) \(path): \(response.status)")
                    #expect(!response.text.contains("SQLite") && response.body.readableBytes < 1000, "\(method) \(path)")
                }
            }
        }
    }
}
