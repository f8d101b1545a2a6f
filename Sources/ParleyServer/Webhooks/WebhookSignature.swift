import Crypto
import Foundation

/// `Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
///
/// The timestamp is signed with the body so a captured request cannot be replayed later
/// (receivers reject old `t`), and the body is signed byte for byte as sent. The scheme is
/// Stripe's, which receivers already know how to check.
enum WebhookSignature {
    static func header(body: Data, secret: String, timestamp: Int) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    /// A new signing secret: 32 random bytes.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
