import Hummingbird
import NIOCore
import ParleyStore

/// Per-request state: who is asking (set by `AuthenticationMiddleware`).
public struct ParleyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var viewer: Viewer?
    /// The credential the request presented, once resolved (see `Credentials`).
    var credentials: Credentials?
    /// The peer, for rate-limiting requests that carry no token.
    public var remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        viewer = nil
        credentials = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// JSON bodies of API calls are small; audio never goes through `collect`.
    public var maxUploadSize: Int { 1 << 20 }

    /// The authenticated viewer; routes behind the middleware can rely on it.
    func requireViewer() throws -> Viewer {
        guard let viewer else { throw APIFailure.unauthorized }
        return viewer
    }
}
