import ParleyAPI

/// Fans processing events out to live subscribers (SSE connections). A slow subscriber
/// only loses its own oldest events; it never holds up the workers.
public actor EventBroadcaster {
    private var subscribers: [Int: AsyncStream<ProcessingEvent>.Continuation] = [:]
    private var nextID = 0

    public init() {}

    public func subscribe() -> (id: Int, events: AsyncStream<ProcessingEvent>) {
        let (stream, continuation) = AsyncStream.makeStream(of: ProcessingEvent.self, bufferingPolicy: .bufferingNewest(256))
        nextID += 1
        let id = nextID
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return (id, stream)
    }

    public func unsubscribe(_ id: Int) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    public func publish(_ event: ProcessingEvent) {
        for continuation in subscribers.values { continuation.yield(event) }
    }

    public var subscriberCount: Int { subscribers.count }
}
