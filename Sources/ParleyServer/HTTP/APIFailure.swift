import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyAPI
import ParleyStore

/// An error answered as `{"error": {"code", "message"}}` with the right status and headers.
public struct APIFailure: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: APIErrorCode
    public var message: String
    public var extraHeaders: HTTPFields

    public init(_ status: HTTPResponse.Status, code: APIErrorCode, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.extraHeaders = headers
    }

    public var description: String { "\(status.code) \(code.rawValue): \(message)" }

    public var headers: HTTPFields {
        var fields = extraHeaders
        fields[.contentType] = "application/json; charset=utf-8"
        return fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? ParleyJSON.encoder().encode(APIErrorBody(code: code.rawValue, message: message))) ?? Data()
        // HEAD answers carry no body.
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: data))
        return Response(status: status, headers: headers, body: body)
    }

    static let unauthorized = APIFailure(
        .unauthorized, code: .unauthorized, "a valid bearer token is required (Authorization: Bearer prl_…)",
        headers: [.wwwAuthenticate: "Bearer"])

    /// Unknown, and also someone else's: the two must look the same.
    static func notFound(_ what: String = "meeting") -> APIFailure {
        APIFailure(.notFound, code: .notFound, "no such \(what)")
    }

    static func badRequest(_ message: String, code: APIErrorCode = .badRequest) -> APIFailure {
        APIFailure(.badRequest, code: code, message)
    }

    /// A storage limit: over quota is 413 (the file is too large for what is left), too many
    /// unfinished uploads is 429 (come back once one is finished or deleted).
    static func refused(_ refusal: StorageQuota.Refusal) -> APIFailure {
        switch refusal {
        case .quotaExceeded: APIFailure(.contentTooLarge, code: .quotaExceeded, refusal.description)
        case .tooManyOpenUploads:
            APIFailure(.tooManyRequests, code: .tooManyUploads, refusal.description, headers: [.retryAfter: "60"])
        }
    }

    static func busy(retryAfter seconds: Int, _ message: String) -> APIFailure {
        APIFailure(.serviceUnavailable, code: .busy, message, headers: [.retryAfter: String(seconds)])
    }
}
