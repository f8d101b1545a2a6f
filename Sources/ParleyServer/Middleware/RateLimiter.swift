import Foundation

/// Token buckets per client key: `rate` requests per second on average, `burst` at once.
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let rate: Double
    private let burst: Double
    private var buckets: [String: Bucket] = [:]

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Takes one token; returns nil when allowed, else the seconds to wait.
    func acquire(_ key: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        guard rate > 0 else { return nil }
        var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        defer {
            buckets[key] = bucket
            if buckets.count > 10_000 { evictFull(now: now) }
        }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        return (1 - bucket.tokens) / rate
    }

    /// Buckets that have refilled carry no information; drop them to bound memory.
    private func evictFull(now: Double) {
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate < burst }
    }
}
