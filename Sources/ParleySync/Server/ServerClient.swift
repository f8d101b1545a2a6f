import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ParleyAPI
import Synchronization

/// The server's HTTP API as the client uses it. Every call is one request; callers wrap
/// them in `RetryPolicy.run` where retrying is safe.
public final class ServerClient: Sendable {
    public let baseURL: String
    private let token: String
    private let http: HTTPClient
    let requestTimeout: TimeAmount
    private let counter = Mutex(0)

    /// Connections for every `ServerClient`. A connect that fails (server stopped, port
    /// refused) fails the request at once, and a silent host after 10 s, so `RetryPolicy`
    /// decides how long to keep trying. `HTTPClient.shared` instead reconnects by itself
    /// until a 90 s connect timeout: `parley sync` against a stopped server, or resuming an
    /// upload whose address is gone, sat 90 s per attempt times `maxAttempts`.
    public static let connections: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(90)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(
        baseURL: String, token: String, http: HTTPClient = ServerClient.connections, requestTimeout: TimeAmount = .seconds(120)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.http = http
        self.requestTimeout = requestTimeout
    }

    /// Requests sent so far (for the sync benchmark's requests-per-recording figure).
    public var requestsSent: Int { counter.withLock { $0 } }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: ByteBuffer? = nil,
        accept: Set<Int> = [200]
    ) async throws -> Reply {
        let url = path.hasPrefix("/") ? baseURL + path : path
        // The token goes to the configured server only: an absolute URL a server returned
        // (a tus Location, say) that names another origin is refused, not followed.
        guard Self.sameOrigin(url, baseURL) else {
            throw ServerError.invalidResponse("the server pointed at \(url), outside \(baseURL); not sending credentials there")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        counter.withLock { $0 += 1 }
        let response: HTTPClientResponse
        let data: ByteBuffer
        do {
            response = try await http.execute(request, timeout: requestTimeout)
            data = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ServerError.transport("\(error)")
        }
        let status = Int(response.status.code)
        guard accept.contains(status) else {
            let detail = try? JSONDecoder().decode(APIErrorBody.self, from: Data(data.readableBytesView))
            throw ServerError.http(
                status: status, code: detail?.error.code ?? "http_\(status)",
                message: detail?.error.message ?? response.status.reasonPhrase,
                retryAfter: response.headers.first(name: "Retry-After").flatMap(Double.init))
        }
        return Reply(status: status, headers: response.headers, body: data)
    }

    /// Same scheme, host and port (default ports filled in), compared case-insensitively.
    static func sameOrigin(_ a: String, _ b: String) -> Bool {
        func origin(_ text: String) -> String? {
            guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = parts.host?.lowercased(), !host.isEmpty
            else { return nil }
            return "\(scheme)://\(host):\(parts.port ?? (scheme == "https" ? 443 : 80))"
        }
        guard let left = origin(a), let right = origin(b) else { return false }
        return left == right
    }

    func decode<T: Decodable>(_ type: T.Type, from reply: Reply) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(reply.body.readableBytesView))
        } catch {
            throw ServerError.invalidResponse("\(T.self): \(error)")
        }
    }

    /// Everything the account holds, by identity (ids and hashes), all pages.
    public func syncedIndex() async throws -> [SyncedMeeting] {
        var items: [SyncedMeeting] = []
        var cursor: String?
        repeat {
            var path = "/api/v1/meetings/synced?limit=1000"
            if let cursor { path += "&cursor=\(Self.escape(cursor))" }
            let page = try decode(Page<SyncedMeeting>.self, from: try await send(.GET, path))
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }

    public func check(clientId: String, sha256: String) async throws -> MeetingCheck {
        try decode(MeetingCheck.self, from: try await send(.GET, "/api/v1/meetings/check/\(clientId)?sha256=\(sha256)"))
    }

    public func summaries(limit: Int = 200, cursor: String? = nil) async throws -> Page<MeetingSummary> {
        var path = "/api/v1/meetings/summary?limit=\(limit)"
        if let cursor { path += "&cursor=\(Self.escape(cursor))" }
        return try decode(Page<MeetingSummary>.self, from: try await send(.GET, path))
    }

    /// nil when the server no longer has the meeting.
    public func status(meetingId: String) async throws -> ProcessingStatus? {
        let reply = try await send(.GET, "/api/v1/meetings/\(meetingId)/status", accept: [200, 404])
        return reply.status == 404 ? nil : try decode(ProcessingStatus.self, from: reply)
    }

    public func processAsync(meetingId: String) async throws -> ProcessingStatus {
        try decode(ProcessingStatus.self, from: try await send(.POST, "/api/v1/meetings/\(meetingId)/process-async", accept: [202]))
    }

    public func meeting(id: String) async throws -> MeetingDetail {
        try decode(MeetingDetail.self, from: try await send(.GET, "/api/v1/meetings/\(id)"))
    }

    public func audioMetadata(meetingId: String) async throws -> AudioMetadata? {
        let reply = try await send(.GET, "/api/v1/meetings/\(meetingId)/audio/metadata", accept: [200, 404])
        return reply.status == 404 ? nil : try decode(AudioMetadata.self, from: reply)
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
