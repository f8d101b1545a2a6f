import Foundation
import Testing

@testable import ParleyServer

/// The pure parts of webhook delivery: the retry schedule, which redirects are followed,
/// which URLs are accepted.
@Suite struct WebhookTests {
    @Test func retriesBackOffAndStop() {
        var settings = WebhookSettings()
        settings.attempts = 6
        settings.retrySeconds = 10
        let delays = (1...6).map { settings.retryDelay(afterAttempts: $0) }
        #expect(delays == [10, 40, 160, 640, 2560, nil])
        settings.attempts = 20
        #expect(settings.retryDelay(afterAttempts: 19) == 3600)  // capped at an hour
    }

    @Test func redirectsAreFollowedOnlyToTheSameOrigin() throws {
        let origin = URL(string: "https://hooks.example.com/a")
        #expect(WebhookSender.sameOrigin(try #require(URL(string: "https://hooks.example.com:443/b")), origin))
        #expect(WebhookSender.sameOrigin(try #require(URL(string: "HTTPS://HOOKS.example.com/c?d")), origin))
        #expect(!WebhookSender.sameOrigin(try #require(URL(string: "http://hooks.example.com/b")), origin))
        #expect(!WebhookSender.sameOrigin(try #require(URL(string: "https://hooks.example.com:8443/b")), origin))
        #expect(!WebhookSender.sameOrigin(try #require(URL(string: "https://evil.example.net/b")), origin))
    }

    @Test func onlyHTTPURLsWithAHostAndNoCredentials() throws {
        #expect(try WebhookTarget.validate(url: " https://example.com/hook ") == "https://example.com/hook")
        for bad in [
            "ftp://example.com", "javascript:alert(1)", "http://", "/relative", "http://u:p@example.com/",
            "https://example.com/" + String(repeating: "a", count: 2001),
        ] {
            #expect(throws: APIFailure.self, "\(bad)") { try WebhookTarget.validate(url: bad) }
        }
    }

    @Test func signatureCoversTimestampAndBody() {
        let body = Data(#"{"id":"d1"}"#.utf8)
        let header = WebhookSignature.header(body: body, secret: "whsec_test", timestamp: 1_700_000_000)
        #expect(header.hasPrefix("t=1700000000,v1="))
        #expect(header != WebhookSignature.header(body: body, secret: "whsec_test", timestamp: 1_700_000_001))
        #expect(header != WebhookSignature.header(body: Data(#"{"id":"d2"}"#.utf8), secret: "whsec_test", timestamp: 1_700_000_000))
        #expect(header.count == "t=1700000000,v1=".count + 64)
    }
}
