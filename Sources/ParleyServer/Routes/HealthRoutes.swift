import Foundation
import Hummingbird
import NIOCore
import ParleyCore
import ParleyEngine
import ParleyQueue
import ParleyStore
import Prometheus
import CoreMetrics
import ParleyAPI

/// Liveness, readiness, Prometheus metrics and the OpenAPI document. Unauthenticated:
/// probes and scrapers carry no user token.
struct HealthRoutes: Sendable {
    let dependencies: ServerDependencies
    let registry: PrometheusCollectorRegistry?

    func register(on router: Router<ParleyRequestContext>) {
        router.get("/health") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        router.get("/ready") { _, _ in
            let database = await dependencies.database.isReachable()
            let disk = FileManager.default.isWritableFile(atPath: dependencies.configuration.dataDirectory.path)
            let body = ["database": database ? "ok" : "unreachable", "disk": disk ? "ok" : "not writable"]
            return try JSONResponse.make(body, status: database && disk ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            await refreshGauges()
            let text = registry?.emitToString() ?? ""
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.data())))
        }
    }

    /// Gauges are read from their sources when scraped, so they are never stale.
    private func refreshGauges() async {
        let metrics = dependencies.metrics
        if let counts = try? await dependencies.jobs.counts() {
            // Every stage × state, zero where no job is in it: a gauge only recorded while
            // its combination exists would keep its last value for ever.
            let present = Dictionary(counts.map { ("\($0.stage)/\($0.state)", $0.count) }) { a, _ in a }
            for stage in ProcessingStage.allCases {
                for state in JobState.allCases {
                    metrics.jobs(stage: stage.rawValue, state: state.rawValue)
                        .record(present["\(stage.rawValue)/\(state.rawValue)"] ?? 0)
                }
            }
        }
        metrics.queueLength.record((try? await dependencies.jobs.waitingEngineJobs()) ?? 0)
        metrics.queueOldestAge.record((try? await dependencies.jobs.oldestWaitingEngineJobAge()) ?? 0)
        metrics.engineMemoryLimit.record(Int64(dependencies.configuration.engine.memoryLimitBytes ?? 0))
        metrics.engineResident.record(Int64(await dependencies.processing.engineResidentBytes()))
        metrics.processResident.record(Int64(ProcessMemory.residentBytes(pid: getpid()) ?? 0))
        metrics.sseSubscribers.record(await dependencies.processing.events.subscriberCount)
        metrics.workersConnected.record(await dependencies.processing.connectedWorkers().count)
    }
}

/// The checked-in OpenAPI 3.1 description of the API (Resources/openapi.json).
public enum OpenAPIDocument {
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw APIFailure(.internalServerError, code: .missingOpenAPI, "the OpenAPI document is not installed")
        }
        return try Data(contentsOf: url)
    }
}
