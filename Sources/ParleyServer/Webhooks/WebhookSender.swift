import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One attempt at delivering a webhook: a POST with a short timeout, and what came of it
/// in words a delivery log can show.
///
/// Redirects are not followed by the HTTP client. One to the same scheme, host and port is
/// followed here (at most 3, the POST repeated as is); one anywhere else is a failure: a
/// receiver that moved to another host must be re-registered, so a compromised or
/// misconfigured endpoint cannot bounce signed meeting data to a third party.
struct WebhookSender: Sendable {
    struct Outcome: Sendable, Equatable {
        var delivered: Bool
        var status: Int?
        var error: String?
    }

    let http: HTTPClient
    let timeoutSeconds: Double

    static func client(timeoutSeconds: Double) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .milliseconds(Int64(timeoutSeconds * 1000))))
        // A receiver that is down fails the attempt at once; the retry schedule waits, not the socket.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func send(to address: String, body: Data, headers: [(String, String)]) async -> Outcome {
        var target = address
        for _ in 0...3 {
            var request = HTTPClientRequest(url: target)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            } catch {
                return Outcome(delivered: false, status: nil, error: Self.describe(error, timeout: timeoutSeconds))
            }
            let status = Int(response.status.code)
            let excerpt = await Self.excerpt(of: response.body)
            if (200..<300).contains(status) { return Outcome(delivered: true, status: status, error: nil) }
            if (300..<400).contains(status), let location = response.headers.first(name: "Location") {
                guard let next = URL(string: location, relativeTo: URL(string: target))?.absoluteURL,
                    Self.sameOrigin(next, URL(string: target))
                else {
                    return Outcome(
                        delivered: false, status: status,
                        error: "HTTP \(status): redirect to another host not followed (\(location.prefix(200)))")
                }
                target = next.absoluteString
                continue
            }
            return Outcome(delivered: false, status: status, error: "HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)"))
        }
        return Outcome(delivered: false, status: nil, error: "more than 3 redirects")
    }

    static func sameOrigin(_ one: URL, _ other: URL?) -> Bool {
        guard let other else { return false }
        func port(_ url: URL) -> Int? { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80) }
        return one.scheme?.lowercased() == other.scheme?.lowercased() && one.host?.lowercased() == other.host?.lowercased()
            && port(one) == port(other)
    }

    /// The first few hundred bytes of an error answer, for the log.
    static func excerpt(of body: HTTPClientResponse.Body) async -> String {
        var kept = ByteBuffer()
        do {
            for try await var chunk in body {
                kept.writeBuffer(&chunk)
                if kept.readableBytes >= 300 { break }  // the client drops the connection with the rest
            }
        } catch {
            // A body cut off mid-way says nothing more about the outcome than its status.
        }
        let text = String(buffer: kept).prefix(200)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
    }

    static func describe(_ error: any Error, timeout: Double) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout:
                return "no answer within \(timeout.formatted()) s"
            default:
                return "request failed: \(client)"
            }
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "could not connect within 5 s" }
        return "could not connect: \(error)"
    }
}
