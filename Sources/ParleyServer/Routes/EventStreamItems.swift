import Foundation
import ParleyAPI

/// What an SSE response writes, in one sequence: the viewer's processing events, a
/// heartbeat every few seconds, and the end once the stream has lived its longest. Two
/// feeder tasks fill it; `stop()` ends them when the response ends.
struct EventStreamItems: Sendable {
    enum Item: Sendable {
        case event(ProcessingEvent)
        case heartbeat
    }

    let stream: AsyncStream<Item>
    private let feeders: [Task<Void, Never>]

    init(events: AsyncStream<ProcessingEvent>, heartbeat: Double, lifetime: Double) {
        let (stream, feed) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingNewest(256))
        self.stream = stream
        let forward = Task {
            for await event in events { feed.yield(.event(event)) }
            feed.finish()
        }
        let clock = Task {
            let end = ContinuousClock.now + .seconds(lifetime)
            while ContinuousClock.now < end {
                try? await Task.sleep(for: .seconds(min(heartbeat, max(0.01, (end - ContinuousClock.now) / .seconds(1)))))
                if Task.isCancelled { return }
                feed.yield(.heartbeat)
            }
            feed.finish()
        }
        feeders = [forward, clock]
    }

    func stop() {
        for feeder in feeders { feeder.cancel() }
    }
}
