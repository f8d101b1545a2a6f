import Foundation
import ParleyAPI

/// What went wrong talking to the server, and whether trying again can help.
public enum ServerError: Error, CustomStringConvertible, Sendable {
    case http(status: Int, code: String, message: String, retryAfter: Double?)
    case transport(String)
    case invalidResponse(String)
    case notLoggedIn

    public var isRetryable: Bool {
        switch self {
        case .http(let status, _, _, _): status == 408 || status == 423 || status == 429 || (status >= 500 && status != 501)
        case .transport: true
        case .invalidResponse, .notLoggedIn: false
        }
    }

    /// The server's error code when it is one this client knows.
    public var code: APIErrorCode? {
        if case .http(_, let code, _, _) = self { return APIErrorCode(rawValue: code) }
        return nil
    }

    public var retryAfter: Double? {
        if case .http(_, _, _, let after) = self { return after }
        return nil
    }

    public var status: Int? {
        if case .http(let status, _, _, _) = self { return status }
        return nil
    }

    public var description: String {
        switch self {
        case .http(let status, let code, let message, _): "server answered \(status) \(code): \(message)"
        case .transport(let detail): "cannot reach the server: \(detail)"
        case .invalidResponse(let detail): "unexpected answer from the server: \(detail)"
        case .notLoggedIn: "not logged in; run: parley login --server URL --token TOKEN"
        }
    }
}
