import Metrics

/// Counters and gauges the server exports at `/metrics` (Prometheus text format).
struct ServerMetrics: Sendable {
    let uploadBytes = Counter(label: "parley_upload_bytes_total")
    let duplicateHits = Counter(label: "parley_duplicate_hits_total")
    /// Bytes a duplicate did not have to send or store again.
    let duplicateBytesSaved = Counter(label: "parley_duplicate_bytes_saved_total")
    /// Uploads that became meetings (tus, single-request and OpenAI-compatible alike).
    let uploadsCompleted = Counter(label: "parley_uploads_completed_total")
    /// Seconds since the oldest waiting model job could have started: a stuck queue grows it.
    let queueOldestAge = Gauge(label: "parley_queue_oldest_age_seconds")
    /// The engine's memory cap (0 = none), so an alert can compare its resident memory.
    let engineMemoryLimit = Gauge(label: "parley_engine_memory_limit_bytes")
    let queueLength = Gauge(label: "parley_queue_length")
    let engineResident = Gauge(label: "parley_engine_resident_bytes")
    let processResident = Gauge(label: "parley_process_resident_bytes")
    let sseSubscribers = Gauge(label: "parley_sse_subscribers")
    /// Remote `parley worker` processes heard from recently (claiming or running a job).
    let workersConnected = Gauge(label: "parley_workers_connected")

    func duplicate(savedBytes: Int64) {
        duplicateHits.increment()
        duplicateBytesSaved.increment(by: savedBytes)
    }

    /// Completed uploads that were refused after their bytes arrived, by reason.
    func uploadFailed(_ reason: String) {
        Counter(label: "parley_upload_failures_total", dimensions: [("reason", reason)]).increment()
    }

    func jobs(stage: String, state: String) -> Gauge {
        Gauge(label: "parley_jobs", dimensions: [("stage", stage), ("state", state)])
    }
}
