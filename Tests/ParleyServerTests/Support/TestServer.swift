import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ParleyAPI
import ParleyQueue
import ParleyStore

@testable import ParleyServer

/// A Parley server wired by `ParleyServerApp` itself (its dependencies, router and base-path
/// responder), as `parley serve --no-local-workers` would be, over a temporary data
/// directory with a real SQLite database. Requests go to the router in-process: no socket,
/// no engine, and none of the background services (queue workers, janitor, webhooks), so
/// queued jobs simply stay queued.
struct TestServer: Sendable {
    let dependencies: ServerDependencies
    /// What the router registered (the router itself is no `Sendable` value to share).
    let routes: [(method: HTTPRequest.Method, path: String)]

    var directory: URL { dependencies.configuration.dataDirectory }

    /// Runs `test` against a fresh server and removes its data directory afterwards.
    static func run(
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ test: @Sendable (TestServer, any TestClientProtocol) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("parley-router-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, router) = try make(directory: directory, configure: configure)
        let app = Application(
            responder: ParleyServerApp.responder(router: router, dependencies: server.dependencies),
            logger: server.dependencies.logger)
        try await app.test(.router) { client in try await test(server, client) }
    }

    private static func make(
        directory: URL, configure: (inout ServerConfiguration) -> Void
    ) throws -> (TestServer, Router<ParleyRequestContext>) {
        var queue = QueueConfiguration()
        queue.localWorkers = false
        var configuration = ServerConfiguration(dataDirectory: directory, queue: queue)
        configuration.llm = nil  // never whatever the developer's environment names
        configure(&configuration)
        var logger = Logger(label: "parley-router-tests")
        logger.logLevel = .critical
        let dependencies = try ParleyServerApp.dependencies(configuration: configuration, logger: logger)
        let router = ParleyServerApp.router(dependencies: dependencies, registry: nil)
        let routes = router.routes.map { (method: $0.method, path: $0.path.description) }
        return (TestServer(dependencies: dependencies, routes: routes), router)
    }

    /// A new user (the first one is the administrator) and a bearer token of theirs.
    func user(_ name: String) async throws -> String {
        _ = try await dependencies.accounts.createUser(name: name)
        return try await dependencies.accounts.createToken(userName: name)
    }

    /// A `parley worker` token of an existing user.
    func workerToken(of name: String) async throws -> String {
        try await dependencies.accounts.createToken(userName: name, label: "worker", role: .worker)
    }
}

extension TestClientProtocol {
    /// One request, with the bearer token when given.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, headers: HTTPFields = [:], body: [UInt8]? = nil
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// The ids of the meetings the token's user sees, as the dashboard lists them.
    func meetingIDs(token: String) async throws -> [String] {
        let page = try await send(.get, "/api/v1/meetings/summary?limit=200", token: token).json
        return (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// `POST /api/v1/meetings` with `bytes` as the body: the quickest way to a stored meeting.
    func uploadMeeting(_ bytes: [UInt8], token: String, query: String = "") async throws -> TestResponse {
        try await send(.post, "/api/v1/meetings?sha256=\(sha256Hex(bytes))\(query)", token: token, body: bytes)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object (API answers are objects).
    var json: [String: Any] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
            guard let object = value as? [String: Any] else { throw TestServerError("not a JSON object: \(text)") }
            return object
        }
    }

    /// The `code` of an API error body, `{"error": {"code", "message"}}`; nil if the body
    /// is not one (a routing miss has no body at all).
    var errorCode: APIErrorCode? {
        (try? JSONDecoder().decode(APIErrorBody.self, from: Data(body.readableBytesView))).flatMap {
            APIErrorCode(rawValue: $0.error.code)
        }
    }

    /// The JSON object at `key` of the body (`meeting` of a meeting's detail, say).
    func object(_ key: String) throws -> [String: Any] {
        guard let object = try json[key] as? [String: Any] else { throw TestServerError("no object \(key) in \(text)") }
        return object
    }
}

struct TestServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

/// Bytes that are no audio format: the server stores them as they are; only the queue's
/// normalize stage (not running here) would look inside.
func sampleBytes(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}
