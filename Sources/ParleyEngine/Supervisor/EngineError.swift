/// Why an engine job did not produce a result. Every case has a one-line description
/// meant for the user, and says whether trying again may help.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The engine's virtual environment is missing; `fix` is the exact command to run.
    case notInstalled(fix: String)
    case startFailed(detail: String)
    /// The engine speaks another protocol version than this Parley (one of the two was
    /// updated without the other); `fix` is the command that reinstalls the engine.
    case incompatible(engine: String, expected: String, fix: String)
    /// The process died mid-job (killed, crashed, out of memory): the job can be retried.
    case crashed(detail: String)
    case timedOut(seconds: Double)
    case memoryLimitExceeded(limitBytes: UInt64, residentBytes: UInt64)
    /// The engine refused the job: `code` as in engine/PROTOCOL.md (`bad_audio`, …).
    case rejected(code: String, message: String, retryable: Bool)
    case cancelled
    case protocolViolation(detail: String)

    /// True for a job stopped on purpose (its caller cancelled, or the engine job was
    /// cancelled): not a failure to record, whichever worker ran it.
    public static func isCancellation(_ error: any Error) -> Bool {
        if case .cancelled = error as? EngineError { return true }
        return error is CancellationError
    }

    public var isRetryable: Bool {
        switch self {
        case .crashed, .timedOut, .startFailed, .protocolViolation: true
        case .rejected(_, _, let retryable): retryable
        case .notInstalled, .incompatible, .memoryLimitExceeded, .cancelled: false
        }
    }

    public var description: String {
        switch self {
        case .notInstalled(let fix): "the speech engine is not installed; run: \(fix)"
        case .startFailed(let detail): "the speech engine did not start: \(detail)"
        case .incompatible(let engine, let expected, let fix):
            "the speech engine speaks protocol version \(engine), this Parley needs \(expected); reinstall it: \(fix)"
        case .crashed(let detail): "the speech engine stopped mid-job (\(detail)); the job can be retried"
        case .timedOut(let seconds): "the job took longer than its \(Int(seconds)) s limit and was stopped"
        case .memoryLimitExceeded(let limit, let resident):
            "the speech engine used \(resident >> 20) MB, over its \(limit >> 20) MB cap, and was stopped"
        case .rejected(_, let message, _): message
        case .cancelled: "the job was cancelled"
        case .protocolViolation(let detail): "the speech engine sent something unexpected: \(detail)"
        }
    }
}
