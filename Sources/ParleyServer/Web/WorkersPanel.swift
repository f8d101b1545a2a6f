import ParleyAPI
import ParleyCore

/// The dashboard's list of connected remote workers, for administrators: who is doing the
/// model work, with which models, and on what.
struct WorkersPanel: Sendable {
    struct Row: Sendable {
        var name: String
        var user: String
        var models: String
        var device: String
        var doing: String
        var lastSeen: String
        var jobsCompleted: Int
    }

    var rows: [Row]
    var hasRows: Bool

    init(_ workers: [WorkerInfo]) {
        rows = workers.map { worker in
            Row(
                name: worker.name, user: worker.user, models: worker.models.joined(separator: ", "), device: worker.device,
                doing: worker.currentJob.map { "\($0.stage.rawValue) \(Int(($0.progress * 100).rounded())) %" } ?? "waiting for work",
                lastSeen: worker.lastSeen, jobsCompleted: worker.jobsCompleted)
        }
        hasRows = !rows.isEmpty
    }
}
