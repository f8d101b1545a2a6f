import Foundation
import GRDB
import ParleyCore

/// Claims by capability (which stages, which models) and the checks remote workers need:
/// the same crash-safe transactions as local workers, keyed by lease owner.
extension JobRepository {
    /// Atomically takes the oldest runnable job among `stages` whose requested model is one
    /// of `models` (nil = any model) or unspecified, and leases it to `worker`.
    public func claim(
        worker: String, stages: [ProcessingStage], models: Set<String>?, lease: Double
    ) async throws -> JobRecord? {
        guard !stages.isEmpty else { return nil }
        var arguments = StatementArguments(stages.map(\.rawValue))
        var filter = "job.stage IN (\(stages.map { _ in "?" }.joined(separator: ", ")))"
        if let models {
            let sorted = models.sorted()
            filter +=
                sorted.isEmpty
                ? " AND job.model IS NULL"
                : " AND (job.model IS NULL OR job.model IN (\(sorted.map { _ in "?" }.joined(separator: ", "))))"
            arguments += StatementArguments(sorted)
        }
        return try await claim(worker: worker, lease: lease, filter: filter, arguments: arguments)
    }

    /// The job if it is running under a lease whose owner starts with `ownerPrefix` (a
    /// worker token's leases all do): what a worker may read the audio of.
    public func runningJob(id: Int64, ownerPrefix: String) async throws -> JobRecord? {
        try await database.pool.read { db in
            try JobRecord.fetchOne(
                db,
                sql: """
                    SELECT * FROM job WHERE id = ? AND state = \(JobState.running.sql) AND substr(lease_owner, 1, length(?)) = ?
                    """, arguments: [id, ownerPrefix, ownerPrefix])
        }
    }

    /// True when `worker` already completed the job with exactly `result`: a retried POST
    /// whose first attempt was stored but whose answer was lost.
    public func completedAlready(jobId: Int64, worker: String, result: Data) async throws -> Bool {
        try await database.pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT job.state, job.finished_by, stage_result.result FROM job
                        LEFT JOIN stage_result ON stage_result.meeting_id = job.meeting_id AND stage_result.stage = job.stage
                        WHERE job.id = ?
                        """, arguments: [jobId])
            else { return false }
            let state: String? = row["state"]
            let finishedBy: String? = row["finished_by"]
            let stored: String? = row["result"]
            return state == "done" && finishedBy == worker && stored.map { Data($0.utf8) } == result
        }
    }

    /// Sets the model later transcriptions of the meeting ask for (nil = the default).
    public func requestModel(_ model: String?, meetingId: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE meeting SET requested_model = ? WHERE id = ?", arguments: [model, meetingId])
        }
    }

    /// Sets the spoken language and the prompt later transcriptions of the meeting use
    /// (nil = the server's language setting, no prompt).
    public func requestTranscription(language: String?, prompt: String?, meetingId: String) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE meeting SET requested_language = ?, requested_prompt = ? WHERE id = ?",
                arguments: [language, prompt, meetingId])
        }
    }

    public func requestedTranscription(meetingId: String) async throws -> (language: String?, prompt: String?) {
        try await database.pool.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT requested_language, requested_prompt FROM meeting WHERE id = ?",
                arguments: [meetingId])
            return (row?["requested_language"], row?["requested_prompt"])
        }
    }

}
