import Foundation
import HTTPTypes
import Hummingbird

/// The address a request comes from, for limits on unauthenticated traffic: the peer's IP
/// (without its port: each connection has another one), or — when the peer is a reverse
/// proxy the operator trusts (`PARLEY_TRUSTED_PROXIES`) — the last address that proxy
/// appended to `X-Forwarded-For`. Entries before it are the client's own claims and never
/// trusted; behind an untrusted peer the header is ignored entirely.
enum ClientAddress {
    static func of(_ request: Request, context: ParleyRequestContext, trustedProxies: Set<String>) -> String {
        let peer = context.remoteAddress.map { $0.ipAddress ?? "\($0)" } ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = request.headers[.xForwardedFor] else { return peer }
        let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces) ?? ""
        return last.isEmpty || last.utf8.count > 64 ? peer : last
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
