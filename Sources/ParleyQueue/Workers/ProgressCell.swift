import Synchronization

/// The latest progress a stage reported, read by the heartbeat.
final class ProgressCell: Sendable {
    private let value = Mutex(0.0)

    func set(_ fraction: Double) {
        value.withLock { $0 = min(max(fraction, 0), 1) }
    }

    var current: Double { value.withLock { $0 } }
}
