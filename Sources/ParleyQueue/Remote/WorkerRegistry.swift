import Foundation
import ParleyAPI
import ParleyCore

/// The remote workers the server has heard from, in memory: what they offer, what they
/// run, when they last spoke. It decides nothing about jobs (the job table does, under
/// leases); it answers "is anyone connected who could run this?" and `GET /api/v1/workers`.
/// A worker counts as connected while a claim of its is open or for `staleAfter` seconds
/// after it last spoke; a server restart forgets them until they claim or beat again.
actor WorkerRegistry {
    struct Entry {
        var claim: WorkerClaim
        var user: String
        var lastSeen: Double
        var openClaims = 0
        var currentJob: WorkerInfo.CurrentJob?
        var jobsCompleted = 0
    }

    private var entries: [String: Entry] = [:]
    let staleAfter: Double

    init(staleAfter: Double) {
        self.staleAfter = staleAfter
    }

    func claimStarted(_ claim: WorkerClaim, user: String) {
        var entry = entries[claim.workerId] ?? Entry(claim: claim, user: user, lastSeen: Date().timeIntervalSince1970)
        entry.claim = claim
        entry.user = user
        entry.openClaims += 1
        entry.lastSeen = Date().timeIntervalSince1970
        entries[claim.workerId] = entry
    }

    func claimEnded(workerID: String, job: WorkerInfo.CurrentJob?) {
        guard var entry = entries[workerID] else { return }
        entry.openClaims = max(entry.openClaims - 1, 0)
        entry.lastSeen = Date().timeIntervalSince1970
        if let job { entry.currentJob = job }
        entries[workerID] = entry
    }

    func heartbeat(workerID: String, jobID: Int64, progress: Double) {
        guard var entry = entries[workerID] else { return }
        entry.lastSeen = Date().timeIntervalSince1970
        if entry.currentJob?.jobId == jobID { entry.currentJob?.progress = progress }
        entries[workerID] = entry
    }

    /// The worker reported the end of `jobID` (stored, failed or released).
    func jobEnded(workerID: String, jobID: Int64, completed: Bool) {
        guard var entry = entries[workerID] else { return }
        entry.lastSeen = Date().timeIntervalSince1970
        if entry.currentJob?.jobId == jobID { entry.currentJob = nil }
        if completed { entry.jobsCompleted += 1 }
        entries[workerID] = entry
    }

    /// Connected workers, newest first; forgets the ones gone quiet.
    func connected() -> [WorkerInfo] {
        let now = Date().timeIntervalSince1970
        entries = entries.filter { $0.value.openClaims > 0 || now - $0.value.lastSeen < staleAfter }
        return entries.map { id, entry in
            WorkerInfo(
                workerId: id, name: entry.claim.name, user: entry.user, stages: entry.claim.stages,
                models: entry.claim.models, device: entry.claim.device, currentJob: entry.currentJob,
                lastSeen: ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: entry.lastSeen)),
                jobsCompleted: entry.jobsCompleted)
        }.sorted { $0.workerId < $1.workerId }
    }

    /// Whether a connected worker offers `stage` (with `model`, when one is asked for).
    func canRun(_ stage: ProcessingStage, model: String?) -> Bool {
        connected().contains { worker in
            worker.stages.contains(stage) && (model.map(worker.models.contains) ?? true)
        }
    }
}
