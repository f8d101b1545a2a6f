/// How webhooks are sent: a short timeout per attempt, and retries that back off
/// (`retrySeconds` × 4ⁿ, at most an hour apart) until `attempts` are used.
public struct WebhookSettings: Sendable {
    /// Attempts in all, the first included (default 6: about 3½ hours of retries).
    public var attempts = 6
    public var retrySeconds: Double = 10
    public var timeoutSeconds: Double = 10
    /// Deliveries sent at once.
    public var concurrency = 4

    public init() {}

    /// When to try again after `attempts` failed ones, or nil when that was the last.
    public func retryDelay(afterAttempts attempts: Int) -> Double? {
        guard attempts < self.attempts else { return nil }
        return min(3600, retrySeconds * Double(1 << (2 * min(attempts - 1, 10))))
    }
}
