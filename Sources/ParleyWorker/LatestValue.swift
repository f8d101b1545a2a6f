import Synchronization

/// A value one task writes and another reads (the stage's progress for the heartbeat, the
/// heartbeat's "lease lost" for the reporter).
final class LatestValue<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ initial: Value) {
        value = Mutex(initial)
    }

    func set(_ newValue: Value) {
        value.withLock { $0 = newValue }
    }

    var current: Value { value.withLock { $0 } }
}
