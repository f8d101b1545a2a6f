import Foundation
import ParleySync
import Testing

/// The client's token only ever goes to the server it was configured with: an absolute URL
/// from a server's answer (a tus `Location`) that names another origin is refused before
/// any connection is made.
@Suite struct ServerClientOriginTests {
    let client = ServerClient(baseURL: "http://127.0.0.1:9/", token: "prl_not-a-real-token")

    @Test(arguments: [
        "http://localhost:9/api/v1/uploads/x", "http://127.0.0.1:10/api/v1/uploads/x",
        "https://127.0.0.1:9/api/v1/uploads/x", "file:///etc/passwd", "ftp://127.0.0.1:9/x",
    ])
    func anotherOriginIsRefusedWithoutAConnection(location: String) async throws {
        await #expect {
            _ = try await client.uploadOffset(location)
        } throws: { error in
            guard case .invalidResponse(let message) = error as? ServerError else { return false }
            return message.contains("not sending credentials")
        }
    }

    @Test func theSameOriginIsFollowed() async throws {
        // Port 9 refuses the connection: getting that far shows the URL was accepted.
        for location in ["http://127.0.0.1:9/api/v1/uploads/x", "HTTP://127.0.0.1:9/api/v1/uploads/x", "/api/v1/uploads/x"] {
            await #expect {
                _ = try await client.uploadOffset(location)
            } throws: { error in
                if case .transport = error as? ServerError { return true }
                return false
            }
        }
    }
}
