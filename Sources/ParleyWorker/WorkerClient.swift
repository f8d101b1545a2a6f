import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ParleyAPI

/// The worker API over HTTP, as `parley worker` calls it. Transport errors and 5xx answers
/// are retried with exponential backoff and jitter (a server restarting, a network blip);
/// 4xx answers are final and returned to the caller.
struct WorkerClient: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: Data
    }

    struct Refused: Error, CustomStringConvertible {
        var status: Int
        var message: String
        var description: String { "server answered \(status): \(message)" }
    }

    let baseURL: String
    let token: String
    let http: HTTPClient
    /// Longest a call keeps retrying before giving up (the lease is lost by then anyway).
    var retryFor: Double = 300

    static let connections: HTTPClient = {
        let configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(120)))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func claim(_ claim: WorkerClaim) async throws -> WorkerJob? {
        let reply = try await send(.POST, "/api/v1/worker/claim", json: claim, timeout: (claim.waitSeconds ?? 25) + 30)
        if reply.status == .noContent { return nil }
        return try decode(WorkerJob.self, reply)
    }

    /// A report about a held job; a 409 (`lease_lost`) is returned, not thrown, so the
    /// caller can stop the job.
    func report<Body: Encodable>(_ jobID: Int64, _ action: String, _ body: Body, retryFor: Double? = nil) async throws -> Reply {
        try await send(.POST, "/api/v1/worker/jobs/\(jobID)/\(action)", json: body, timeout: 120, retryFor: retryFor)
    }

    /// Bytes of the held job's audio from `offset` on, streamed to `handle`.
    func download(jobID: Int64, from offset: Int64, into handle: FileHandle) async throws -> HTTPResponseStatus {
        var request = HTTPClientRequest(url: baseURL + "/api/v1/worker/jobs/\(jobID)/audio")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if offset > 0 { request.headers.add(name: "Range", value: "bytes=\(offset)-") }
        let response = try await http.execute(request, timeout: .hours(6))
        guard response.status == .ok || response.status == .partialContent else {
            let body = try await response.body.collect(upTo: 1 << 16)
            throw Refused(status: Int(response.status.code), message: String(buffer: body))
        }
        if response.status == .ok, offset > 0 { try handle.truncate(atOffset: 0) }
        for try await chunk in response.body {
            try handle.write(contentsOf: Array(chunk.readableBytesView))
        }
        return response.status
    }

    func send<Body: Encodable>(
        _ method: HTTPMethod, _ path: String, json body: Body, timeout: Double, retryFor: Double? = nil
    ) async throws -> Reply {
        let data = try ParleyJSON.encoder().encode(body)
        var attempt = 0
        let started = Date()
        while true {
            attempt += 1
            do {
                var request = HTTPClientRequest(url: baseURL + path)
                request.method = method
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: data))
                let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
                let bytes = try await response.body.collect(upTo: 8 << 20)
                let reply = Reply(status: response.status, headers: response.headers, body: Data(bytes.readableBytesView))
                if response.status.code < 500 { return reply }
                if Date().timeIntervalSince(started) > (retryFor ?? self.retryFor) { return reply }
            } catch {
                if error is CancellationError || Task.isCancelled { throw error }
                if Date().timeIntervalSince(started) > (retryFor ?? self.retryFor) { throw error }
            }
            try await Task.sleep(for: .milliseconds(Int64(Self.backoff(attempt: attempt) * 1000)))
        }
    }

    /// 0.5 s doubling to 15 s, with full jitter so many workers do not retry in step.
    static func backoff(attempt: Int) -> Double {
        let ceiling = min(15, 0.5 * pow(2, Double(min(attempt - 1, 10))))
        return ceiling / 2 + Double.random(in: 0...(ceiling / 2))
    }

    func decode<Value: Decodable>(_ type: Value.Type, _ reply: Reply) throws -> Value {
        guard (200..<300).contains(reply.status.code) else {
            throw Refused(status: Int(reply.status.code), message: String(decoding: reply.body, as: UTF8.self))
        }
        return try ParleyJSON.decoder().decode(Value.self, from: reply.body)
    }
}
