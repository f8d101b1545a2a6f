import Foundation

/// Exponential backoff with full jitter, honouring the server's `Retry-After` (429/503):
/// many clients retrying after an outage spread out instead of arriving together.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// `PARLEY_RETRY_BASE_MS` and `PARLEY_RETRY_ATTEMPTS` tune it (tests use short delays).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        var policy = RetryPolicy()
        if let base = environment["PARLEY_RETRY_BASE_MS"].flatMap(Double.init) { policy.baseDelay = base / 1000 }
        if let attempts = environment["PARLEY_RETRY_ATTEMPTS"].flatMap(Int.init), attempts > 0 { policy.maxAttempts = attempts }
        return policy
    }

    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(attempt - 1, 0))))
        let jittered = Double.random(in: 0...max(ceiling, 0.001))
        return max(jittered, min(retryAfter ?? 0, 60))
    }

    /// Runs `operation`, retrying retryable server errors until attempts run out.
    public func run<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await operation()
            } catch let error as ServerError where error.isRetryable && attempt < maxAttempts {
                try await Task.sleep(for: .milliseconds(Int64(delay(afterAttempt: attempt, retryAfter: error.retryAfter) * 1000)))
            }
        }
    }
}
