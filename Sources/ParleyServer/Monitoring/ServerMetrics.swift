import Metrics

/// Counters and gauges the server exports at `/metrics` (Prometheus text format).
struct ServerMetrics: Sendable {
    let uploadBytes = Counter(label: "parley_upload_bytes_total")
    let duplicateHits = Counter(label: "parley_duplicate_hits_total")
    let queueLength = Gauge(label: "parley_queue_length")
    let engineResident = Gauge(label: "parley_engine_resident_bytes")
    let processResident = Gauge(label: "parley_process_resident_bytes")
    let sseSubscribers = Gauge(label: "parley_sse_subscribers")

    func jobs(stage: String, state: String) -> Gauge {
        Gauge(label: "parley_jobs", dimensions: [("stage", stage), ("state", state)])
    }
}
