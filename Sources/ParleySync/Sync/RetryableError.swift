/// An error that knows whether trying the same thing again later can help. The sync
/// engine asks this one question of every failure, instead of switching over error types.
public protocol RetryableError: Error {
    var isRetryable: Bool { get }
}

extension ServerError: RetryableError {}

/// The library's own refusals (an illegal transition, an unknown or unreadable recording)
/// come out the same way on every attempt.
extension Library.Failure: RetryableError {
    public var isRetryable: Bool { false }
}

/// Whether a failed recording goes back on the retry schedule. Errors that do not say
/// (a local read interrupted, the library database busy) are retried: the schedule backs
/// off, and a person can still see and clear the failure.
func isRetryable(_ error: any Error) -> Bool {
    (error as? any RetryableError)?.isRetryable ?? true
}
