import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import ParleyAPI
import ParleyCore
import ParleyQueue
import ParleyStore

/// The API `parley worker` processes use (worker tokens only): long-polled claims, lease
/// heartbeats with progress, results, failures, releases and the audio of a held job; and
/// the administrators' list of connected workers. The job logic is the queue's
/// (`ProcessingService+Remote`); here are the wire, the checks and the status codes.
struct WorkerRoutes: Sendable {
    let dependencies: ServerDependencies

    /// A transcript with word timings for six hours of speech is a few MB; this bounds it.
    static let maxResultBytes = 64 << 20

    func register(on api: RouterGroup<ParleyRequestContext>) {
        let worker = api.group("worker")
        worker.post("claim") { request, context in try await claim(request, context: context) }
        worker.post("jobs/{id}/heartbeat") { request, context in
            let (jobId, tokenId) = try Self.held(context)
            let beat = try await Self.decode(WorkerReport.Heartbeat.self, from: request, limit: 4096)
            let outcome = try await dependencies.processing.heartbeatRemote(
                jobId: jobId, lease: beat.lease, tokenId: tokenId, progress: beat.progress)
            return try Self.receipt(outcome, leaseSeconds: dependencies.configuration.queue.leaseSeconds)
        }
        worker.post("jobs/{id}/complete") { request, context in try await complete(request, context: context) }
        worker.post("jobs/{id}/fail") { request, context in
            let (jobId, tokenId) = try Self.held(context)
            let failure = try await Self.decode(WorkerReport.Failure.self, from: request, limit: 16384)
            return try Self.receipt(
                try await dependencies.processing.failRemote(
                    jobId: jobId, lease: failure.lease, tokenId: tokenId, error: failure.error, retryable: failure.retryable))
        }
        worker.post("jobs/{id}/release") { request, context in
            let (jobId, tokenId) = try Self.held(context)
            let release = try await Self.decode(WorkerReport.Release.self, from: request, limit: 4096)
            return try Self.receipt(
                try await dependencies.processing.failRemote(
                    jobId: jobId, lease: release.lease, tokenId: tokenId, error: nil, retryable: true))
        }
        worker.get("jobs/{id}/audio") { request, context in try await audio(request, context: context) }
        worker.head("jobs/{id}/audio") { request, context in try await audio(request, context: context) }
        api.get("workers") { _, context in
            let viewer = try context.requireViewer()
            guard viewer.role == .user, viewer.isAdmin else {
                throw APIFailure(.forbidden, code: .adminOnly, "only an administrator may list the workers")
            }
            return try JSONResponse.make(await dependencies.processing.connectedWorkers())
        }
    }

    func claim(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let viewer = try Self.requireWorker(context)
        let claim = try await Self.decode(WorkerClaim.self, from: request, limit: 16384)
        guard (1...128).contains(claim.workerId.count), !claim.workerId.contains("/"), !claim.workerId.contains(":"),
            claim.name.count <= 128, claim.models.count <= 64, claim.models.allSatisfy({ (1...256).contains($0.count) }),
            claim.device.count <= 64
        else {
            throw APIFailure.badRequest("worker_id (1–128 characters, no / or :), name, device and models must be short")
        }
        guard let tokenId = viewer.tokenId else { throw APIFailure.unauthorized }
        guard let job = try await dependencies.processing.claimRemote(claim, tokenId: tokenId, user: viewer.name) else {
            return Response(status: .noContent)
        }
        return try JSONResponse.make(job)
    }

    func complete(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let (jobId, tokenId) = try Self.held(context)
        let body = try await Self.collect(request, limit: Self.maxResultBytes)
        // The stage decides the schema; a job the caller cannot see is refused below the
        // same way as one it lost.
        guard let job = try await dependencies.jobs.job(id: jobId), job.stage.runsOnWorkers else {
            throw Self.leaseLost
        }
        let (lease, seconds, result) = try StageResultValidation.canonical(stage: job.stage, body: body)
        let outcome = try await dependencies.processing.completeRemote(
            jobId: jobId, lease: lease, tokenId: tokenId, result: result, seconds: seconds)
        return try Self.receipt(outcome)
    }

    /// The original upload of a job this worker token holds, with Range so a cut-off
    /// download resumes; the ETag is the SHA-256 the worker verifies the bytes against.
    func audio(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let (jobId, tokenId) = try Self.held(context)
        guard let meeting = try await dependencies.processing.remoteAudio(jobId: jobId, tokenId: tokenId) else {
            throw APIFailure.notFound("job held by this worker")
        }
        let file = dependencies.storage.url(relative: meeting.audioPath)
        guard FileManager.default.fileExists(atPath: file.path) else { throw APIFailure.notFound("audio") }
        return try await RangedFileResponse.make(
            file: file, size: dependencies.storage.size(of: file), etag: "\"\(meeting.sha256)\"",
            headers: [.contentType: "application/octet-stream", .cacheControl: "no-store"], request: request,
            context: context)
    }

    static let leaseLost = APIFailure(
        .conflict, code: .leaseLost, "this worker does not hold the job (its lease expired, or it was cancelled or reassigned)")

    static func requireWorker(_ context: ParleyRequestContext) throws -> Viewer {
        let viewer = try context.requireViewer()
        guard viewer.role == .worker else {
            throw APIFailure(.forbidden, code: .workerOnly, "the worker API needs a worker token (parley token create --role worker)")
        }
        return viewer
    }

    /// The worker's token id and the job id of the path.
    static func held(_ context: ParleyRequestContext) throws -> (jobId: Int64, tokenId: String) {
        let viewer = try requireWorker(context)
        guard let tokenId = viewer.tokenId else { throw APIFailure.unauthorized }
        guard let jobId = context.parameters.get("id").flatMap(Int64.init), jobId > 0 else {
            throw APIFailure.notFound("job")
        }
        return (jobId, tokenId)
    }

    static func receipt(_ outcome: ProcessingService.RemoteOutcome, leaseSeconds: Double? = nil) throws -> Response {
        switch outcome {
        case .leaseLost: throw leaseLost
        case .stored where leaseSeconds != nil:
            return try JSONResponse.make(WorkerReport.Receipt(status: "leased", leaseSeconds: leaseSeconds))
        case .stored: return try JSONResponse.make(WorkerReport.Receipt(status: "stored"))
        case .alreadyStored: return try JSONResponse.make(WorkerReport.Receipt(status: "already_stored"))
        case .failed: return try JSONResponse.make(WorkerReport.Receipt(status: "failed"))
        case .released: return try JSONResponse.make(WorkerReport.Receipt(status: "released"))
        }
    }

    static func collect(_ request: Request, limit: Int) async throws -> Data {
        do {
            return Data(buffer: try await request.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw APIFailure(.contentTooLarge, code: .tooLarge, "the body must be at most \(limit) bytes")
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, limit: Int) async throws -> Value {
        let body = try await collect(request, limit: limit)
        do {
            return try ParleyJSON.decoder().decode(Value.self, from: body)
        } catch {
            throw APIFailure.badRequest("the body is not a valid \(String(describing: Value.self)) JSON object")
        }
    }
}
