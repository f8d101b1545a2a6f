import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The browser session: a random session id (`pss_…`, a `SessionRepository` record) in an
/// HttpOnly, SameSite=Strict cookie — never the API token itself — and the CSRF value the
/// page's scripts echo in `X-Parley-CSRF` on unsafe API calls.
///
/// The CSRF value is HMAC-SHA256 of the session id under a fixed, Parley-specific key: a
/// one-way function of a 256-bit secret that only the cookie holder knows. A cross-site
/// page can neither read the cookie nor the page that carries the value, so it cannot
/// produce the header; the value reveals nothing about the session id, and it stays valid
/// across server restarts (a per-process key would break open tabs on every restart).
enum SessionCookie {
    static let name = "parley_session"
    /// The browser keeps the cookie as long as the longest a session can live; the server
    /// ends it sooner when it idles out or the user signs out.
    static let maxAge = 30 * 86_400

    private static var csrfKey: SymmetricKey { SymmetricKey(data: Data("parley-web-csrf-v1".utf8)) }

    static func csrfValue(for session: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(session.utf8), using: csrfKey)
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time comparison of a presented CSRF value with the session's.
    static func isValidCSRF(_ presented: String?, session: String) -> Bool {
        guard let presented else { return false }
        let expected = Array(csrfValue(for: session).utf8)
        let given = Array(presented.utf8)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    /// The session id a request carries, if any (syntactically plausible only).
    static func session(in request: Request) -> String? {
        guard let value = request.cookies[name]?.value, value.hasPrefix("pss_"), value.utf8.count < 200 else { return nil }
        return value
    }

    /// True when the browser reached us over HTTPS (directly or through a proxy that says so).
    static func isSecure(_ request: Request) -> Bool {
        if request.head.scheme?.lowercased() == "https" { return true }
        let forwarded = request.headers[.xForwardedProto]?.split(separator: ",").first
        return forwarded?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    static func setCookie(session: String, request: Request) -> String {
        "\(name)=\(session); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (isSecure(request) ? "; Secure" : "")
    }

    static func clearCookie(request: Request) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (isSecure(request) ? "; Secure" : "")
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
