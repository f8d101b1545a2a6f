import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The tus 1.0 calls: create, ask the offset, append a chunk.
extension ServerClient {
    public struct CreatedUpload: Sendable, Equatable {
        public var location: String
        public var offset: Int64
        /// Set when the server already holds these bytes (a duplicate): nothing to send.
        public var meetingId: String?
        public var duplicate: Bool
    }

    static let tusHeaders = [("Tus-Resumable", "1.0.0")]

    public func createUpload(length: Int64, metadata: [String: String]) async throws -> CreatedUpload {
        let encoded = metadata.sorted { $0.key < $1.key }
            .map { "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ",")
        let reply = try await send(
            .POST, "/api/v1/uploads", headers: Self.tusHeaders + [("Upload-Length", String(length)), ("Upload-Metadata", encoded)],
            accept: [201])
        guard let location = reply.headers.first(name: "Location") else { throw ServerError.invalidResponse("no Location") }
        // A relative Location is kept relative: `send` resolves it against the server as
        // configured at the time, so an upload interrupted before a re-login to another
        // address (or through a proxy that is gone) resumes instead of retrying a dead host.
        return CreatedUpload(
            location: location,
            offset: reply.headers.first(name: "Upload-Offset").flatMap(Int64.init) ?? 0,
            meetingId: reply.headers.first(name: "Parley-Meeting-Id"),
            duplicate: reply.headers.first(name: "Parley-Duplicate") == "true")
    }

    /// The server's offset for an upload, its meeting id if complete, or nil if it is gone.
    public func uploadOffset(_ location: String) async throws -> (offset: Int64, meetingId: String?)? {
        let reply = try await send(.HEAD, location, headers: Self.tusHeaders, accept: [200, 404, 410])
        guard reply.status == 200, let offset = reply.headers.first(name: "Upload-Offset").flatMap(Int64.init) else { return nil }
        return (offset, reply.headers.first(name: "Parley-Meeting-Id"))
    }

    /// Appends `chunk` at `offset`; returns the new offset and, on the last chunk, the meeting.
    public func append(_ location: String, offset: Int64, chunk: Data) async throws -> (offset: Int64, meetingId: String?) {
        let reply = try await send(
            .PATCH, location,
            headers: Self.tusHeaders + [("Upload-Offset", String(offset)), ("Content-Type", "application/offset+octet-stream")],
            body: ByteBuffer(bytes: chunk), accept: [204])
        guard let next = reply.headers.first(name: "Upload-Offset").flatMap(Int64.init) else {
            throw ServerError.invalidResponse("PATCH without Upload-Offset")
        }
        return (next, reply.headers.first(name: "Parley-Meeting-Id"))
    }
}
