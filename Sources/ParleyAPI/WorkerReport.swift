/// Bodies a worker posts about a job it holds. Every one names the lease it was given:
/// once that lease is lost (expired, the job cancelled or taken by another worker) the
/// server answers 409 `lease_lost` and changes nothing.
public enum WorkerReport {
    /// `POST …/heartbeat`: keeps the lease and reports the model's progress (0–1).
    public struct Heartbeat: Codable, Sendable, Equatable {
        public var lease: String
        public var progress: Double

        public init(lease: String, progress: Double) {
            self.lease = lease
            self.progress = progress
        }
    }

    /// `POST …/complete`: the stage's result, in the stage's own schema (`transcribe`: a
    /// recognition result, `diarize`: a diarization). Retrying an identical completion is
    /// answered 200 and stores nothing twice.
    public struct Completion<Result: Codable & Sendable>: Codable, Sendable {
        public var lease: String
        public var seconds: Double
        public var result: Result

        public init(lease: String, seconds: Double, result: Result) {
            self.lease = lease
            self.seconds = seconds
            self.result = result
        }
    }

    /// `POST …/fail`: the job failed on the worker. Retryable failures go back to the queue
    /// while attempts remain.
    public struct Failure: Codable, Sendable, Equatable {
        public var lease: String
        public var error: String
        public var retryable: Bool

        public init(lease: String, error: String, retryable: Bool) {
            self.lease = lease
            self.error = error
            self.retryable = retryable
        }
    }

    /// `POST …/release`: the worker is stopping; the job goes back to the queue at once,
    /// the attempt not counted.
    public struct Release: Codable, Sendable, Equatable {
        public var lease: String

        public init(lease: String) {
            self.lease = lease
        }
    }

    /// The answer to every report.
    public struct Receipt: Codable, Sendable, Equatable {
        /// `leased` (heartbeat), `stored`, `already_stored`, `failed`, `released`.
        public var status: String
        public var leaseSeconds: Double?

        public init(status: String, leaseSeconds: Double? = nil) {
            self.status = status
            self.leaseSeconds = leaseSeconds
        }
    }
}
