import HTTPTypes
import Hummingbird
import NIOCore

/// A rendered page. Hummingbird has no HTML response type; this one also sets the
/// headers every page wants: no caching (pages carry the CSRF value and private data),
/// a strict Content-Security-Policy (scripts only from /static), no sniffing, no framing.
struct HTMLResponse: ResponseGenerator {
    var html: String
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [:]

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
        "media-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.contentSecurityPolicy] = Self.contentSecurityPolicy
        fields[.xContentTypeOptions] = "nosniff"
        fields[.referrerPolicy] = "same-origin"
        let buffer = ByteBuffer(string: html)
        fields[.contentLength] = String(buffer.readableBytes)
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: buffer)
        return Response(status: status, headers: fields, body: body)
    }

    /// 303 See Other: after a form POST the browser GETs the target.
    static func redirect(to location: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.location] = location
        fields[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: fields)
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let parleyCSRF = Self("X-Parley-CSRF")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
