import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ParleyAPI
import Testing

@testable import ParleyServer

/// A meeting's audio through the real router: byte-exact 206s, 416 for what lies past the
/// end, the whole file for ranges Parley does not serve (several, malformed), If-Range and
/// HEAD — the rules tests/e2e/test_range.py checks over HTTP on a processed meeting.
@Suite struct RouterRangeTests {
    static let size = 20_000

    /// One stored meeting of `size` known bytes, and a way to ask for its audio.
    func withMeeting(_ test: @Sendable @escaping (_ stream: Stream, _ data: [UInt8]) async throws -> Void) async throws {
        try await TestServer.run { server, client in
            let token = try await server.user("alice")
            let data = sampleBytes(Self.size, seed: 3)
            let upload = try await client.uploadMeeting(data, token: token)
            #expect(upload.status == .created)
            let id = try #require(try upload.object("meeting")["id"] as? String)
            try await test(Stream(client: client, token: token, path: "/api/v1/meetings/\(id)/audio/stream?variant=original"), data)
        }
    }

    struct Stream: Sendable {
        let client: any TestClientProtocol
        let token: String
        let path: String

        func callAsFunction(_ range: String?, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]) async throws -> TestResponse {
            var headers = headers
            if let range { headers[.range] = range }
            return try await client.send(method, path, token: token, headers: headers)
        }
    }

    @Test func partialContentIsByteExact() async throws {
        try await withMeeting { stream, data in
            let size = Self.size
            let cases: [(String, ClosedRange<Int>)] = [
                ("bytes=0-0", 0...0), ("bytes=0-99", 0...99), ("bytes=100-", 100...(size - 1)), ("bytes=-500", (size - 500)...(size - 1)),
                ("bytes=12345-12345", 12345...12345), ("bytes=-1", (size - 1)...(size - 1)), ("bytes=0-", 0...(size - 1)),
                ("bytes=\(size - 10)-\(size + 5000)", (size - 10)...(size - 1)), ("bytes=-\(size + 100)", 0...(size - 1)),
            ]
            for (spec, expected) in cases {
                let response = try await stream(spec)
                #expect(response.status == .partialContent, "\(spec)")
                #expect(response.headers[.contentRange] == "bytes \(expected.lowerBound)-\(expected.upperBound)/\(size)", "\(spec)")
                #expect(response.headers[.contentLength] == String(expected.count), "\(spec)")
                #expect(Array(response.body.readableBytesView) == Array(data[expected]), "\(spec)")
                #expect(response.headers[.acceptRanges] == "bytes")
            }
        }
    }

    @Test func unsatisfiableRangesAre416() async throws {
        try await withMeeting { stream, _ in
            let size = Self.size
            for spec in ["bytes=\(size)-", "bytes=\(size + 1000)-", "bytes=-0", "bytes=\(size)-\(size + 10)"] {
                for method in [HTTPRequest.Method.get, .head] {
                    let response = try await stream(spec, method: method)
                    #expect(response.status == .rangeNotSatisfiable, "\(method) \(spec)")
                    #expect(response.headers[.contentRange] == "bytes */\(size)", "\(method) \(spec)")
                }
                #expect(try await stream(spec).errorCode == .rangeNotSatisfiable)
            }
        }
    }

    @Test func severalOrMalformedRangesGetTheWholeFile() async throws {
        try await withMeeting { stream, data in
            for spec in [
                "bytes=0-1,5-6", "bytes=abc", "items=0-10", "bytes=50-10", "bytes=", "bytes=--5", "bytes=1-2-3",
                String(repeating: "x", count: 300),
            ] {
                let response = try await stream(spec)
                #expect(response.status == .ok, "\(spec)")
                #expect(response.headers[.contentRange] == nil, "\(spec)")
                #expect(Array(response.body.readableBytesView) == data, "\(spec)")
            }
        }
    }

    @Test func ifRangeAndHead() async throws {
        try await withMeeting { stream, data in
            let head = try await stream(nil, method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == String(Self.size))
            let etag = try #require(head.headers[.eTag])
            #expect(etag == "\"\(sha256Hex(data))\"")
            let matching = try await stream("bytes=10-19", headers: [.ifRange: etag])
            #expect(matching.status == .partialContent && Array(matching.body.readableBytesView) == Array(data[10...19]))
            for stale in ["\"0000\"", "W/\(etag)", "Wed, 21 Oct 2015 07:28:00 GMT"] {
                #expect(try await stream("bytes=10-19", headers: [.ifRange: stale]).status == .ok, "\(stale)")
            }
            let partialHead = try await stream("bytes=5-9", method: .head)
            #expect(partialHead.status == .partialContent && partialHead.body.readableBytes == 0)
            #expect(partialHead.headers[.contentLength] == "5")
        }
    }
}
